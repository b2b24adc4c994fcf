// Package marking holds the structured CUI and TLP marking of a portion (a title, paragraph, bullet,
// table, figure, caption or attachment) and derives everything a reader sees from it: portion marks,
// the banner, the document TLP, the supplemental (DRAFT …) line and the designation indicator.
// Markings are computed, never typed: there is no field for banner text and no parser for free-text
// markings.
//
// The derivation follows the domain notes markings.md §2.3 and requirements B12–B21. Where those texts are
// silent, this package decides as follows.
//
//   - Unmarked. The zero Marking (Control "") means "not marked yet", never "(U)". It renders no portion
//     mark, adds nothing to the banner (Banner.Unmarked counts it), and CheckDocument reports it, so a
//     product with an unmarked portion cannot go to review or be published (B15). Every product is
//     portion-marked, so every portion needs a marking.
//   - Attachments carry a Marking like any portion; pass them to DeriveBanner with the portions, since the
//     banner must be inclusive of all CUI in the product.
//   - TLP is not a CUI marking and never appears inside a portion mark or the CUI banner. A portion's TLP
//     label is shown next to its portion mark, e.g. "(CUI//SP-INV//NF) TLP:AMBER"; the document TLP (the
//     most restrictive portion TLP, uncontrolled portions included) goes right-justified in header and
//     footer. An unknown TLP value counts as TLP:RED (fail closed).
//   - A document with no controlled portion has an empty banner: "UNCLASSIFIED" is not a CUI marking and
//     NARA uses no banner for uncontrolled documents. A non-final uncontrolled document shows
//     "UNCONTROLLED" in the banner slot so that its DRAFT line never stands alone (see Header).
//   - REL TO lists are stored as rendered: USA first, then trigraphs alphabetically; Normalize adds USA.
//     A REL TO list naming no country but USA is rejected (it would mean NOFORN; say NOFORN).
//     DISPLAY ONLY lists foreign trigraphs only (no USA) and must not repeat a REL TO country.
//   - Foreign disclosure in the banner: NOFORN if any controlled portion is NOFORN. Otherwise, over the
//     portions that carry REL TO or DISPLAY ONLY (the others are neutral), REL TO is the intersection of
//     their REL TO lists (a DISPLAY ONLY-only portion contributes an empty one, since a copy of the
//     product would hand it over), DISPLAY ONLY is the intersection of their REL TO ∪ DISPLAY ONLY lists
//     less the banner REL TO, and the banner is NOFORN when both come out empty. NOFORN never appears with
//     REL TO or DISPLAY ONLY. (Open question for the CUI SAO, requirements "Open questions".)
//   - DL ONLY is an explicit flag plus an agency list (DLOnly, DLList) rather than "a non-nil slice",
//     because nil versus empty does not survive HTML forms or JSON. The banner list is the intersection of
//     the portions' lists; an empty intersection (nobody may receive the product) is a document problem.
//   - RELIDO is permissive, so the banner carries it only if every controlled portion does and the banner
//     is not NOFORN. ATTORNEY-CLIENT and ATTORNEY-WP are restrictive and roll up as a union.
//   - A category used as Specified must be Specified-capable in the registry, and one used as Basic must
//     be Basic-capable (e.g. CHRI is Specified only). The same code as Basic and Specified collapses to the
//     Specified form, in a portion and in the banner.
//   - Audience LDCs combine by intersection: all ⊇ NOCON (federal, SLTT), all ⊇ FEDCON (federal,
//     contractors) ⊇ FED ONLY, and any two different audiences meet at FED ONLY.
package marking
