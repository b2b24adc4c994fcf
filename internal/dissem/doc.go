// Package dissem holds the caveat check that decides, for one recipient agency, whether an edition
// with a given banner may be released to it. The release page shows the verdict and reasons for every
// recipient before the official confirms, and the release ledger runs the same check when it writes
// its rows: a release to an agency the caveats exclude is refused, with the reason shown (issue 5 item
// 1, requirement B22, markings.md §2.1–2.2).
//
// The rules, and the decisions taken where the sources are silent:
//
//   - The center is the originator. An agency of kind center is always allowed, whatever the banner:
//     it already holds the product, so a ledger row for it is a record, not a disclosure.
//   - Domestic means a member agency whose country is USA and that is neither foreign nor an
//     international organisation. Everything else (partners, foreign or international agencies,
//     records with another or no country, unknown kinds) is treated as foreign: an inconsistent agency
//     record fails closed.
//   - NOFORN refuses every non-domestic agency. A banner never carries NOFORN with REL TO or DISPLAY
//     ONLY; if one does, NOFORN wins and only its reason is given.
//   - REL TO admits domestic agencies (USA is always on the list) and foreign government agencies whose
//     country trigraph is listed. An international organisation has no trigraph and is admitted only
//     when the banner carries both REL TO and a DL ONLY list that names it. That is the one place where
//     a DL ONLY list widens anything; everywhere else it narrows, and it never lifts NOFORN, a country
//     missing from REL TO, an audience control or TLP.
//   - DISPLAY ONLY: agencies of the listed countries may be shown the product but not given a copy.
//     A ledger row is a copy, so they are refused with a reason saying so. A banner with DISPLAY ONLY
//     and no REL TO gives no foreign recipient a copy at all, international organisations included.
//   - FED ONLY admits only U.S. federal agencies (not state/local, not foreign or international).
//   - FEDCON is checked like FED ONLY: contractors are individuals, not agencies, so which persons may
//     read it is a question for the user-level check, not this one.
//   - NOCON admits U.S. federal and state, local or tribal agencies. It is a domestic audience control
//     (markings.md §2.3 reads it as federal plus SLTT), so it refuses foreign and international
//     agencies too. A domestic agency that is neither federal nor state/local is refused.
//   - An unknown audience is read as FED ONLY, as marking.Audience.Intersect does.
//   - DL ONLY admits only the agencies whose codes are on the list; an empty list admits nobody. A
//     non-empty list without the DL ONLY flag is read as DL ONLY.
//   - TLP:RED is for named individuals and is refused for every agency-wide release. TLP:AMBER+STRICT
//     admits only the agencies the releasing official named (Options.Named), not those reached through
//     a distribution list; recipients may not share it onward, which the portal enforces by having no
//     re-share action for recipients. TLP:AMBER, GREEN and CLEAR do not restrict at agency level. An
//     unknown TLP label is read as TLP:RED.
//   - A banner counting unmarked portions may understate the controls, so nothing is released from it.
//   - The check reads the controls, not Banner.Controlled, so a hand-built banner with controls but
//     Controlled false is still enforced. An uncontrolled banner without TLP allows everyone.
//   - RELIDO, ATTORNEY-CLIENT and ATTORNEY-WP do not restrict which agencies may receive a copy, and
//     handling codes from grading (Europol H-codes, UK 5x5x5) are not part of the banner; none of them
//     is checked here.
//
// Every failing rule adds its own reason, so an official sees all of them at once. Allowing is
// monotone: tightening a control never turns a refusal into an allowance, except that naming an
// international organisation on a DL ONLY list under REL TO admits it, as described above.
package dissem
