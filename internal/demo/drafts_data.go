package demo

import (
	"tearline/internal/grading"
	"tearline/internal/marking"
	"tearline/internal/product"
)

// The demo drafts. Everything here is invented for the demo: the networks ("Cayo Verde", "Red Lantern
// brokers", "Puente Sur", "Kestrel", "Sirocco", "Mirador", "Tres Rios"), their members, cases and
// figures. Places are real only at the level of regions, countries and well-known crossing areas.
//
// Three drafts carry a marking problem on purpose (flawed) and three use likelihood language outside
// ICD 203 on purpose (hedged); the rest should pass both checks.

const (
	dana   = "analyst@hstc"  // Dana Whitfield, maritime smuggling
	marcus = "analyst2@hstc" // Marcus Oyelaran, trafficking finance

	maritime  = "Maritime Analysis Branch"
	finance   = "Financial Networks Cell"
	strategic = "Strategic Assessments Staff"
)

// Marking shorthands used throughout.
var (
	lei    = cui("LEI")
	inv    = cui("INV")
	spInv  = cui("SP-INV").nf()
	ivic   = cui("IVIC")
	prvcy  = cui("SP-PRVCY")
	lfnc   = cui("SP-LFNC").fed()
	leiRel = cui("LEI").rel("GBR", "MEX")
	leiEur = cui("LEI").rel("GBR", "FRA")
)

func europolH3(grade, text string) grading.Grade {
	g := europol(grade, "H3")
	g.HandlingText = text
	return g
}

func draftSpecs() []draftSpec {
	var out []draftSpec
	out = append(out, bulletins()...)
	out = append(out, reports()...)
	out = append(out, notes()...)
	out = append(out, analyses()...)
	out = append(out, assessments()...)
	out = append(out, targets()...)
	return out
}

func bulletins() []draftSpec {
	return []draftSpec{{
		typ: product.TypeBulletin, author: dana, office: maritime,
		title:   "Cayo Verde network shifts go-fast departures toward the Gulf of Honduras",
		summary: "Since August 2026 the Cayo Verde network has moved most of its go-fast departures from the Colombian Caribbean coast to staging points on the Gulf of Honduras, shortening open-water legs and avoiding patrol areas. More landings on the Guatemalan and Belizean coasts are likely through the first quarter of 2027.",
		topics:  []string{"organisations", "trends"},
		regions: []string{"COL", "HND", "GTM", "BLZ"},
		body: map[string][]part{
			"key-points": {list(leiRel,
				"Cayo Verde go-fast departures from the Colombian Caribbean coast fell by about two thirds between June and October 2026.",
				"Over the same period, interdicted migrants increasingly reported boarding at fishing camps on the Honduran side of the Gulf of Honduras.",
				"Boats now carry 20–30 migrants per trip, up from about 12, and run at night without navigation lights.")},
			"details": {
				para(lei, "U.S. Coast Guard crews boarded four go-fast vessels in the western Caribbean between August and October 2026. Each carried between 18 and 31 migrants, mostly from Ecuador, Venezuela and China, together with two or three crew who described themselves as hired pilots paid per trip."),
				para(spInv, "Two of the detained pilots told investigators that a Cayo Verde coordinator based in northern Honduras assigns departure times by voice message the evening before each trip. The same coordinator is linked by phone toll records to an ongoing HSI investigation into migrant landings in southern Florida."),
			},
			"outlook": {para(lei, "The network will likely keep using the Gulf of Honduras staging area while patrols concentrate further east. Landings on the Guatemalan and Belizean coasts are likely to increase through March 2027, with onward movement by road toward the Mexican border.")},
			"sources": {para(u, "This bulletin draws on Coast Guard boarding reports and CBP debriefs of interdicted migrants. Pilot statements were made after arrest and have been only partly corroborated by toll records.")},
		},
		sources: []product.Source{
			src("USCG boarding reports, western Caribbean, Aug–Oct 2026", "USCG", "2026-10-21", admiralty("B2")),
			src("CBP debrief of interdicted migrants, Sept 2026", "CBP", "2026-09-18", admiralty("C3")),
		},
	}, {
		typ: product.TypeBulletin, author: marcus, office: finance,
		title:   "Red Lantern brokers move smuggling fees through stablecoin wallets",
		summary: "Red Lantern brokers, who sell smuggling packages from Asia to the U.S. southwest border, now collect a growing share of their fees in dollar-pegged stablecoins. The change shortens settlement times and reduces the brokers' reliance on cash couriers.",
		topics:  []string{"organisations", "trends"},
		regions: []string{"CHN", "ECU", "MEX", "USA"},
		hedged:  true,
		body: map[string][]part{
			"key-points": {list(lfnc,
				"At least 40 wallets linked to Red Lantern brokers received about USD 3.1 million in stablecoins between March and September 2026.",
				"Migrants' relatives in the United States top up the wallets through peer-to-peer exchangers advertised on social media.",
				"Cash couriers remain in use for payments to guides in Central America and Mexico.")},
			"details": {
				para(cui("SP-LFNC").rel("GBR"), "Blockchain analysis of wallets named in migrant debriefs shows funds consolidating in a small number of exchange deposit addresses within 48 hours of each payment. Deposit patterns match the departure schedule migrants described for chartered flights to Quito."),
				para(inv.tlp(marking.TLPAmber), "A Europol partner reported that two of the consolidation wallets also received payments linked to visa-fraud services offered in Europe. The brokers are likely reusing one payment infrastructure across several smuggling products."),
			},
			"outlook": {para(lei, "The brokers are likely to keep expanding stablecoin collection, and they will probably add new peer-to-peer exchangers as older ones are reported. Cash couriers are likely to remain in use for the Central American legs.")},
			"sources": {para(u, "Wallet addresses were taken from debriefs and seized phones and traced with commercial blockchain analytics. Partner reporting is used with the originator's permission.")},
		},
		sources: []product.Source{
			src("HSI financial investigation summary: wallet tracing", "ICE", "2026-10-02", admiralty("B2")),
			src("EUROPOL SIENA message on visa-fraud payment channels", "EUROPOL", "2026-09-12", europol("B2", "H1")),
		},
	}, {
		typ: product.TypeBulletin, author: dana, office: maritime,
		title:   "Channel small-boat launches move inland to canals and river mouths",
		summary: "Smuggling groups running English Channel small-boat crossings increasingly launch from canals and river mouths behind the beaches of northern France, where boats are harder to spot before departure.",
		topics:  []string{"trends", "countering"},
		regions: []string{"FRA", "GBR", "BEL"},
		flawed:  true,
		body: map[string][]part{
			"key-points": {list(u.tlp(marking.TLPGreen),
				"Launches from canals and river mouths rose to about one in three crossings in the third quarter of 2026.",
				"Boats are inflated and loaded inland, then motored to the sea, so beach patrols see them only when already afloat.")},
			"details": {
				para(leiEur, "NCA reporting describes groups of 40–60 migrants being walked to waterways at night and boarding boats already in the water. So-called taxi boats then pick up further passengers from the shallows near the beach."),
				// Left unmarked on purpose: the "before review" panel must show it.
				para(unmarked, "Engines and hulls continue to be bought in bulk in other European countries and driven to storage sites near the coast a few days before launch."),
			},
			"outlook": {para(lei, "Inland launches are very likely to continue through the winter weather windows. Patrol coverage of waterways is likely to become a main factor in where groups choose to launch.")},
			"sources": {para(u, "Based on NCA partner reporting and open reporting by French authorities.")},
		},
		sources: []product.Source{
			src("NCA intelligence report on Channel launch sites", "NCA", "2026-10-09", uk3x5x2("2B", "P")),
			src("NCA analyst assessment of boat supply chains", "NCA", "2026-08-30", uk5x5x5("B2", "4")),
		},
	}}
}

func reports() []draftSpec {
	return []draftSpec{{
		typ: product.TypeReport, author: dana, office: maritime,
		title:   "Debriefs describe Puente Sur guide fees and abuses on the Darién crossing",
		summary: "Migrants interdicted in September 2026 describe the Puente Sur network charging USD 350–500 for guided crossings of the Darién Gap, with boat legs from the Colombian Gulf of Urabá. Several women reported being held in Panamanian border communities and forced into sex work to pay debts.",
		topics:  []string{"organisations", "trends"},
		regions: []string{"COL", "PAN"},
		body: map[string][]part{
			"summary": {para(lei, "Puente Sur guides sell Darién crossings as packages that include a boat leg from the Colombian coast, two to four days on foot, and a contact at the first reception station in Panama. The network very likely controls most guided departures from two coastal towns on the Gulf of Urabá.")},
			"reporting": {
				para(lei, "Of 46 migrants debriefed, 31 said they paid Puente Sur guides, most of them in cash on the beach and the rest by transfers to relatives of the guides. Prices ranged from USD 350 for a walking group to USD 500 for the 'express' route with a shorter boat leg."),
				list(ivic,
					"Five women said guides took their passports on arrival in Panama and told them they owed a further USD 800.",
					"Three of them were taken to bars in a border community and made to work until the debt was paid.",
					"None of the women reported the abuse in Panama because guides told them the police worked for the network."),
			},
			"comment": {para(lei, "The debt-bondage accounts fit a pattern reported along other land routes, where smuggling turns into trafficking once migrants run out of money. The reporting is consistent across separate interviews, but the victims' accounts have not yet been corroborated by Panamanian authorities.")},
		},
		sources: []product.Source{
			src("CBP debrief of interdicted migrants, Sept 2026", "CBP", "2026-09-25", admiralty("B2")),
			src("DOS reporting from the regional migration office", "DOS", "2026-10-04", admiralty("C3")),
		},
	}, {
		typ: product.TypeReport, author: dana, office: maritime,
		title:   "Sirocco cell loads larger fishing vessels for Lampedusa",
		summary: "The Sirocco cell, operating from the western Libyan coast, has moved from small wooden boats to converted fishing vessels carrying 300–500 people toward Lampedusa, using a mother-ship approach for the final leg.",
		topics:  []string{"organisations", "trends"},
		regions: []string{"LBY", "ITA", "TUN", "CENTRAL MEDITERRANEAN"},
		body: map[string][]part{
			"summary": {para(lei.tlp(marking.TLPAmber), "Converted fishing vessels linked to the Sirocco cell carried about 2,100 people toward Lampedusa in four trips between July and October 2026. Each vessel towed or carried smaller boats that were released about 30 nautical miles from the island.")},
			"reporting": {
				para(lei.tlp(marking.TLPAmber), "Europol reporting, based on Italian investigations, describes vessels bought at fishing ports in the region and refitted with extra fuel tanks. Passengers paid between EUR 3,000 and EUR 4,500, with higher prices for places below deck."),
				para(u, "Arrivals by sea in Italy rose in the third quarter of 2026, with Lampedusa receiving most of them. Weather in the central Mediterranean usually limits departures between December and February."),
			},
			"comment": {para(lei, "The move to mother ships is very likely a response to more frequent interceptions of small boats close to the Libyan coast. We have moderate confidence in this judgment. It rests mainly on one partner's investigation and on arrival statistics.")},
		},
		sources: []product.Source{
			src("EUROPOL SIENA message on central Mediterranean mother-ship operations", "EUROPOL", "2026-10-14", europol("B2", "H0")),
			src("FRONTEX aerial surveillance summary", "FRONTEX", "2026-10-20", europolH3("A1", "Not to be shared with third countries without FRONTEX consent.")),
		},
	}, {
		typ: product.TypeReport, author: marcus, office: finance,
		title:   "Mirador recruitment ring offers fraudulent work visas to Central American women",
		summary: "The Mirador recruitment ring advertises hotel and restaurant jobs in Mexico and the United States on social media, arranges fraudulent work visas, and then confiscates documents and demands repayment from the women it recruits.",
		topics:  []string{"organisations", "trends", "countering"},
		regions: []string{"HND", "GTM", "MEX", "USA"},
		hedged:  true,
		body: map[string][]part{
			"summary": {para(lei, "Mirador recruiters use sponsored posts and private groups to reach young women in Honduras and Guatemala with offers of seasonal hospitality work. Victims receive forged or fraudulently obtained visas and are placed in debt on arrival.")},
			"reporting": {
				list(ivic,
					"Eleven women interviewed by HSI between May and September 2026 described the same recruitment script and the same two messaging accounts.",
					"Each was charged USD 4,000–6,000 for travel and visa fees, recorded as a debt in a notebook kept by a supervisor.",
					"Passports were collected 'for safekeeping' on the first day at the job site."),
				para(prvcy, "Three of the visa applications were filed with the same employer address and the same document preparer, whose details are held in the case file."),
			},
			"comment": {para(lei, "The ring could possibly be recruiting in El Salvador as well; one advert in Spanish used Salvadoran phone numbers. Platform takedowns of the two main accounts would disrupt recruitment only briefly, since new accounts have appeared within days of earlier removals.")},
		},
		sources: []product.Source{
			src("HSI victim interview summaries, May–Sept 2026", "ICE", "2026-09-30", admiralty("B2")),
			src("Open-source review of recruitment advertisements", "HSTC", "2026-10-11", admiralty("F3")),
			src("DOS visa fraud unit referral", "DOS", "2026-08-19", admiralty("A2")),
		},
	}}
}

func notes() []draftSpec {
	return []draftSpec{{
		typ: product.TypeNote, author: marcus, office: finance,
		title:   "Hawala settlements in Ciudad del Este linked to smuggling fee collections",
		summary: "Money brokers of the Tres Rios exchange network in Ciudad del Este settle balances for smuggling organisations in the Andean region using hawala-style offsetting against trade invoices.",
		topics:  []string{"organisations", "trends"},
		regions: []string{"PRY", "BRA", "ARG", "TRI-BORDER AREA"},
		body: map[string][]part{
			"note": {
				para(lfnc, "Records obtained through a mutual legal assistance request show three Tres Rios brokers settling balances worth about USD 1.8 million for two smuggling organisations between January and July 2026. Settlements were offset against invoices for electronics shipped through the free-trade zone."),
				para(u, "Ciudad del Este, on the borders of Paraguay, Brazil and Argentina, has long been a hub for trade-based money movement."),
			},
			"comment": {para(inv, "The link gives investigators a financial chokepoint shared by several smuggling organisations. Further settlements through the same brokers are likely while their invoices escape scrutiny.")},
		},
		sources: []product.Source{
			src("DOJ summary of MLAT financial records", "DOJ", "2026-09-03", admiralty("A2")),
		},
	}, {
		typ: product.TypeNote, author: dana, office: strategic,
		title:   "Western Balkans smugglers advertise 'guaranteed' crossings on messaging apps",
		summary: "Smugglers on the Western Balkans route now advertise fixed-price 'guaranteed' crossings into the Schengen area on public messaging channels, with refunds or repeat attempts promised after pushbacks.",
		topics:  []string{"trends"},
		regions: []string{"SRB", "BIH", "HRV", "WESTERN BALKANS"},
		body: map[string][]part{
			"note": {
				para(u.tlp(marking.TLPGreen), "Public channels monitored since June 2026 carry adverts for 'game' packages from northern Serbia and north-western Bosnia and Herzegovina into the Schengen area. Prices range from EUR 1,500 on foot to EUR 6,000 hidden in vans, with videos of earlier groups offered as proof."),
				para(leiEur, "Partner reporting links at least four of the channels to one group that also rents safe houses near the Hungarian border."),
			},
			"comment": {para(lei, "The adverts give investigators a low-cost way to map routes and prices. The 'guarantee' is likely a marketing claim rather than a change in smuggling capability.")},
		},
		sources: []product.Source{
			src("EUROPOL SIENA message on online smuggling advertisements", "EUROPOL", "2026-10-06", europol("A1", "H0")),
			src("Open-source monitoring of messaging channels", "HSTC", "2026-10-30", admiralty("B3")),
		},
	}, {
		typ: product.TypeNote, author: dana, office: maritime,
		title:   "Cayo Verde departures fall after coordinated interdictions",
		summary: "Go-fast departures attributed to the Cayo Verde network fell sharply in October 2026 after coordinated interdictions and the arrest of two boat captains.",
		topics:  []string{"dismantling", "countering"},
		regions: []string{"COL", "HND", "PAN"},
		body: map[string][]part{
			"note": {para(lei.rel("GBR", "MEX", "COL"), "Departures attributed to Cayo Verde fell from about 14 a month over the summer to 4 in October 2026, following three interdictions in one week and the arrest of two captains in Honduras.")},
			"comment": {
				para(lei, "The fall is very likely temporary. The network kept its staging sites and coordinators, and earlier disruptions in 2025 lasted six to eight weeks before departures recovered."),
				para(spInv, "One arrested captain has offered information on the network's fuel suppliers; the offer is under review by prosecutors."),
			},
		},
		sources: []product.Source{
			src("USCG District Seven interdiction summary", "USCG", "2026-11-02", admiralty("A1")),
			src("Honduran partner liaison report via DOS", "DOS", "2026-11-05", admiralty("C2")),
		},
	}}
}

func analyses() []draftSpec {
	return []draftSpec{{
		typ: product.TypeAnalysis, author: marcus, office: finance,
		title:   "How smuggling fees move on the Central American corridor: cash, hawala and stablecoins",
		summary: "Smuggling organisations on the Central American corridor use three payment channels side by side: cash couriers for local costs, hawala-style brokers for cross-border settlement, and stablecoins for fees collected from migrants' relatives. Targeting the brokers who bridge these channels offers the best return for investigators.",
		topics:  []string{"organisations", "trends", "countering"},
		regions: []string{"MEX", "GTM", "HND", "SLV", "CENTRAL AMERICA"},
		body: map[string][]part{
			"key-findings": {list(lei,
				"Cash remains the main means of paying guides, drivers and safe-house keepers along the route.",
				"Cross-border balances are settled by a small number of brokers who offset payments against trade invoices.",
				"Stablecoin collection has grown quickly since 2025 and now very likely accounts for a quarter or more of fees paid by relatives in the United States.")},
			"background": {para(u, "Smuggling fees from Central America to the U.S. border typically range from USD 8,000 to USD 15,000 per person, paid in stages as migrants reach agreed points. Relatives in the United States often pay part or all of the fee.")},
			"analysis": {
				para(lfnc, "Analysis of 212 payment records from three investigations shows cash used in almost every local payment, broker settlement in most cross-border transfers, and stablecoins in 27 percent of payments from U.S. relatives in 2026, up from 9 percent in 2025."),
				para(inv, "The same brokers appear in records from organisations that otherwise compete. This suggests a shared financial service layer rather than vertically integrated organisations."),
				para(cui("SP-INV").fed(), "Two brokers active in the records are subjects of open federal investigations; details are available from the Financial Networks Cell on request."),
			},
			"implications": {para(lei, "Member agencies working single smuggling organisations are likely to meet the same brokers. Sharing broker identifiers through the center is likely to avoid duplicate effort and conflicting operations.")},
			"gaps": {list(u,
				"How brokers settle net balances between Mexico and the United States.",
				"Which peer-to-peer exchangers convert stablecoins to cash for guides.")},
		},
		sources: []product.Source{
			src("Payment records from three HSI investigations", "ICE", "2026-08-27", admiralty("B1")),
			src("FGR financial intelligence exchange", "FGR", "2026-09-15", admiralty("B3")),
		},
	}, {
		typ: product.TypeAnalysis, author: dana, office: maritime,
		title:   "Go-fast and fishing-vessel smuggling in the western Caribbean, 2025–2026",
		summary: "Maritime migrant smuggling in the western Caribbean is concentrated in a few networks using go-fast boats for short legs and fishing vessels for longer voyages. Changes in patrol patterns shift departures within weeks.",
		topics:  []string{"organisations", "trends"},
		regions: []string{"COL", "PAN", "HND", "NIC", "CARIBBEAN"},
		body: map[string][]part{
			"key-findings": {list(lei,
				"Three networks, Cayo Verde the largest, account for most maritime departures recorded since January 2025.",
				"Go-fast boats carry small groups on legs of under 200 nautical miles; fishing vessels carry larger groups on longer voyages.",
				"Departures shifted to new staging areas within three to six weeks of every concentrated patrol effort.")},
			"background": {para(u, "Maritime routes let migrants bypass land checkpoints in Central America. Go-fast boats are fast, low-profile craft also used for drug smuggling; fishing vessels blend in with legitimate traffic.")},
			"analysis": {
				para(lei.rel("GBR", "MEX"), "Interdiction data for 2025–2026 show 61 percent of migrant-carrying go-fasts departing from three coastal areas, each used for a few months at a time. The pattern of rapid displacement suggests networks that rent staging sites rather than own them."),
				para(spInv, "Phone extractions from seized boats show the same small group of coordinators instructing pilots across all three areas."),
			},
			"implications": {para(lei, "Patrol surges alone are likely to displace rather than reduce departures. Targeting coordinators and fuel suppliers is likely to have a longer effect.")},
			"gaps": {list(u,
				"How pilots are recruited and paid.",
				"Whether the networks share boats or fuel suppliers.")},
		},
		sources: []product.Source{
			src("USCG interdiction database extract, Jan 2025–Oct 2026", "USCG", "2026-11-01", admiralty("A1")),
			src("HSI phone extraction summaries", "ICE", "2026-10-12", admiralty("B2")),
		},
	}, {
		typ: product.TypeAnalysis, author: marcus, office: strategic,
		title:   "Social-media recruitment into forced labour: indicators for member agencies",
		summary: "Traffickers recruiting for forced labour in agriculture, hospitality and domestic work increasingly use social-media adverts and messaging apps. A short list of recurring indicators can help member agencies spot recruitment before victims travel.",
		topics:  []string{"trends", "countering"},
		regions: []string{"HND", "GTM", "MEX", "USA", "PHL"},
		hedged:  true,
		body: map[string][]part{
			"key-findings": {list(lei,
				"Fraudulent job adverts are highly likely to remain the main recruitment channel for labour trafficking into the United States.",
				"Most adverts reviewed promised employer-paid visas, then charged the fees as debt on arrival.",
				"The same few message templates recur across networks, which makes automated detection practical.")},
			"background": {para(u, "Labour trafficking victims are often recruited legally at first, with the coercion coming later through debt, document retention and threats. Social-media recruitment lowers the cost of reaching large numbers of job seekers.")},
			"analysis": {
				para(lei, "Of 380 recruitment adverts reviewed, 64 percent named no employer, 71 percent asked applicants to move to private messaging, and 48 percent promised a visa within two weeks. Perhaps the strongest single indicator is a request for passport photographs before any interview."),
				para(ivic, "Victim interviews in two cases describe recruiters who kept the same accounts after arrests of supervisors at the work sites, suggesting recruitment cells that outlive the exploitation sites."),
			},
			"implications": {para(lei, "Agencies with platform liaison channels can use the indicators to prioritise takedown and preservation requests. Consular staff reviewing work-visa applications can use them to flag interviews.")},
			"gaps": {list(u,
				"How recruiters are paid by the employers who use them.",
				"The share of adverts that lead to trafficking rather than to ordinary visa fraud.")},
		},
		sources: []product.Source{
			src("Open-source review of 380 recruitment adverts", "HSTC", "2026-10-24", admiralty("B2")),
			src("FBI victim interview summaries, two cases", "FBI", "2026-09-08", admiralty("B2")),
		},
	}}
}

func assessments() []draftSpec {
	return []draftSpec{{
		typ: product.TypeAssessment, author: dana, office: strategic,
		title:   "Human smuggling through the Darién Gap over the next 12 months",
		summary: "Crossings of the Darién Gap are likely to stay well below their 2023 peak through 2027, but smuggling networks have kept their capacity and would scale up quickly if policies in transit or destination countries changed.",
		topics:  []string{"organisations", "trends"},
		regions: []string{"COL", "PAN", "ECU", "VEN"},
		body: map[string][]part{
			"key-judgments": {list(lei.rel("GBR", "MEX"),
				"Monthly crossings are likely to stay below 20 percent of the 2023 peak through 2027.",
				"The guide networks operating on the Colombian side, Puente Sur among them, will almost certainly keep their boats, camps and payment channels during the lull.",
				"A sudden rise in crossings within a month of any easing of border policies is likely.")},
			"discussion": {
				para(lei, "Crossings fell sharply in 2025 as destination-country policies changed and Panama tightened controls. Guide networks responded by cutting prices and by selling routes to Central America that bypass the jungle by sea."),
				para(spInv, "Sensitive reporting indicates that Puente Sur leaders have told guides to stay on retainer rather than disband, and have kept at least two coastal camps supplied."),
			},
			"outlook": {para(lei, "We judge that reverse flows from north to south will continue at low levels. A return to 2023 levels within 12 months is very unlikely.")},
			"gaps": {list(u,
				"How much sea-route capacity the networks hold in reserve.",
				"How migrants now in Mexico decide whether to return south.")},
		},
		sources: []product.Source{
			src("DOS regional migration reporting, 2025–2026", "DOS", "2026-10-28", admiralty("B2")),
			src("CBP debrief of interdicted migrants, Sept 2026", "CBP", "2026-09-25", admiralty("B2")),
			src("INTERPOL regional analysis on smuggling networks", "INTERPOL", "2026-07-15", admiralty("C3")),
		},
	}, {
		typ: product.TypeAssessment, author: dana, office: strategic,
		title:   "Central Mediterranean maritime smuggling outlook, 2027",
		summary: "Departures from Libya to Italy are likely to rise in 2027 as groups such as the Sirocco cell scale up mother-ship operations, while departures from Tunisia are likely to stay lower than in 2023.",
		topics:  []string{"trends", "organisations"},
		regions: []string{"LBY", "TUN", "ITA", "MLT", "CENTRAL MEDITERRANEAN"},
		flawed:  true,
		body: map[string][]part{
			"key-judgments": {list(lei.rel("GBR", "ITA"),
				"Departures from western and eastern Libya are likely to increase in 2027.",
				"Large converted fishing vessels are likely to carry a growing share of migrants.",
				"Departures from Tunisia are likely to stay below 2023 levels.")},
			"discussion": {
				para(u, "Arrivals in Italy by sea in 2026 were lower than in 2023 but rose in the second half of the year. Most of the increase came from Libyan departures."),
				// NOFORN and REL TO on one portion: an invalid combination left on purpose for the demo.
				para(cui("SP-INV").nf().rel("GBR", "ITA"), "An investigation shared by a partner service identifies the Sirocco cell's vessel suppliers and shows that the cell has bought three further vessels since September 2026."),
			},
			"outlook": {para(lei.tlp(marking.TLPAmber), "Weather will very likely keep departures low until March 2027. From the spring, mother-ship voyages with 400 or more people aboard are likely to become more common, raising the risk of mass-casualty incidents.")},
			"gaps": {list(u,
				"Where the cell finances its vessel purchases.",
				"How far eastern Libyan groups cooperate with western ones.")},
		},
		sources: []product.Source{
			src("EUROPOL SIENA message on central Mediterranean mother-ship operations", "EUROPOL", "2026-10-14", europol("B2", "H2")),
			src("NCA assessment of Mediterranean smuggling finance", "NCA", "2026-09-22", uk5x5x5("C3", "1")),
		},
	}, {
		typ: product.TypeAssessment, author: marcus, office: strategic,
		title:   "Clandestine travel facilitation for special-interest migrants through the Americas",
		summary: "A small number of facilitators sell premium packages to travellers from outside the hemisphere, combining fraudulent documents, air travel to South America and guided overland movement. We judge that these services are almost certainly open to anyone able to pay, including people of security concern.",
		topics:  []string{"terrorist-travel", "organisations"},
		regions: []string{"BRA", "ECU", "COL", "PAN", "MEX"},
		body: map[string][]part{
			"key-judgments": {list(lei.fed(),
				"Premium facilitators almost certainly do not screen their customers beyond ability to pay.",
				"It is unlikely that any of the facilitators reviewed is run by or for a terrorist organisation.",
				"Travellers of security concern are likely to use the same premium services as other special-interest migrants.")},
			"discussion": {
				para(cui("SP-INV", "LSCRN").nf(), "Reporting from three investigations describes facilitators supplying counterfeit or impostor passports, arranging flights to Brazil or Ecuador, and escorting clients overland with fewer stops than ordinary groups."),
				para(lei, "Prices of USD 20,000–45,000 reflect document quality and speed rather than any ideological affiliation."),
			},
			"outlook": {para(lei, "Demand for premium services is likely to grow as screening at air borders improves. Facilitators are likely to add more document fraud and fewer days on the route.")},
			"gaps": {list(cui("LEI").fed(),
				"How facilitators obtain impostor passports.",
				"Whether facilitators share customer lists.")},
		},
		sources: []product.Source{
			src("FBI investigative summary, three cases", "FBI", "2026-08-12", admiralty("B2")),
			src("DHS I&A analytic exchange", "DHS-IA", "2026-09-29", admiralty("B3")),
		},
	}}
}

func targets() []draftSpec {
	return []draftSpec{{
		typ: product.TypeTarget, author: dana, office: maritime,
		title:   "Target package: the Cayo Verde network",
		summary: "The Cayo Verde network runs maritime migrant smuggling from the Colombian Caribbean coast and the Gulf of Honduras toward Central America and Mexico. Its coordinators, fuel suppliers and payment brokers are the most promising targets.",
		topics:  []string{"organisations", "dismantling"},
		regions: []string{"COL", "HND", "GTM", "BLZ", "MEX"},
		body: map[string][]part{
			"overview": {para(lei, "Cayo Verde is a loose network of coordinators, boat owners and hired pilots that moves an estimated 300–500 migrants a month by sea in peak periods. It also sells places to other smuggling organisations' clients.")},
			"members": {
				list(spInv,
					"Coordinator 1: schedules departures and assigns pilots; based in northern Honduras.",
					"Coordinator 2: manages staging camps and payments to fishermen on the Colombian coast.",
					"Fuel supplier: sells fuel and outboard engines to the network through a marine supply business."),
				para(prvcy, "Identifiers and telephone numbers for the coordinators are held in the case file and available to member agencies on request."),
			},
			"routes":         {para(lei.rel("GBR", "MEX"), "Go-fast boats depart at night from rented fishing camps, carrying 20–30 migrants on legs of 100–200 nautical miles. Landings are on remote beaches, from which drivers move migrants by road toward the Guatemala–Mexico border.")},
			"finances":       {para(lfnc, "Fees of USD 1,500–2,500 per migrant are paid in cash at the camps or through brokers in Honduras. Coordinators pay pilots per trip and hold savings in real estate and vehicles.")},
			"communications": {para(inv, "Coordinators use encrypted messaging apps with disappearing messages and send voice notes the evening before each departure. Pilots are given basic phones that are thrown overboard if a patrol approaches.")},
			"actions": {list(lei,
				"Target the fuel supplier's business records through partner financial intelligence units.",
				"Share coordinator identifiers with Honduran and Colombian partners through the center.",
				"Coordinate patrol surges with investigative action to avoid simply displacing departures.")},
		},
		sources: []product.Source{
			src("USCG boarding reports, western Caribbean, Aug–Oct 2026", "USCG", "2026-10-21", admiralty("B2")),
			src("HSI phone extraction summaries", "ICE", "2026-10-12", admiralty("B2")),
			src("Honduran partner liaison report via DOS", "DOS", "2026-11-05", admiralty("C2")),
		},
	}, {
		typ: product.TypeTarget, author: marcus, office: finance,
		title:   "Target package: Red Lantern brokers",
		summary: "Red Lantern brokers sell end-to-end smuggling packages from Asia to the U.S. southwest border, combining fraudulent visas, chartered flights and stablecoin fee collection. The brokers' payment infrastructure is their main vulnerability.",
		topics:  []string{"organisations", "dismantling"},
		regions: []string{"CHN", "ECU", "COL", "MEX", "USA"},
		body: map[string][]part{
			"overview": {para(lei, "Red Lantern is a network of travel brokers that sells smuggling packages priced at USD 25,000–35,000. Packages include fraudulent visas for transit countries, flights to South America and guided movement to the U.S. border.")},
			"members": {list(spInv,
				"Lead broker: sets prices and manages relationships with guides in Central America.",
				"Document supplier: provides fraudulent visas and invitation letters.",
				"Wallet manager: consolidates stablecoin payments and pays local partners.")},
			"routes": {para(lei.rel("MEX"), "Clients fly to Quito or São Paulo on tourist visas and continue overland through Colombia, the Darién Gap or the sea route around it, and Central America. Some clients pay extra for flights further north on fraudulent visas.")},
			"finances": {
				para(lfnc, "Fees are collected in stablecoins through at least 40 wallets and in cash through couriers in the United States. Consolidated funds move through a small number of exchange accounts."),
				para(cui("SP-FSEC"), "Suspicious activity reports from three U.S. financial institutions describe structured cash deposits linked to the couriers."),
			},
			"communications": {para(lei, "Brokers advertise on social media and move clients to encrypted messaging apps. Guides receive client lists and photographs shortly before each handover.")},
			"actions": {list(lei,
				"Trace and seek freezing of consolidation wallets through exchange compliance teams.",
				"Share document-supplier indicators with consular fraud units.",
				"Coordinate with partners in transit countries to identify guides serving Red Lantern clients.")},
		},
		sources: []product.Source{
			src("HSI financial investigation summary: wallet tracing", "ICE", "2026-10-02", admiralty("B2")),
			src("EUROPOL SIENA message on visa-fraud payment channels", "EUROPOL", "2026-09-12", europol("B2", "H1")),
		},
	}, {
		typ: product.TypeTarget, author: dana, office: maritime,
		title:   "Target package: the Kestrel crossing organisation",
		summary: "Kestrel organises English Channel small-boat crossings from northern France, buying boats and engines elsewhere in Europe and recruiting passengers in camps near the coast. Its logistics chain is the most promising point for disruption.",
		topics:  []string{"organisations", "dismantling", "countering"},
		regions: []string{"FRA", "BEL", "DEU", "GBR"},
		flawed:  true,
		body: map[string][]part{
			"overview": {para(cui("LEI").rel("GBR", "FRA"), "Kestrel is a smuggling organisation responsible for an estimated one in ten Channel small-boat crossings in 2026. It controls recruitment in two coastal camps and runs its own boat supply chain.")},
			"members": {
				list(cui("SP-INV").nf(),
					"Organiser: sets prices and decides launch dates from outside France.",
					"Logistics lead: buys boats and engines and arranges storage near the coast.",
					"Camp recruiters: collect fees and assign passengers to boats."),
				// IVIC is a Basic category; marking it Specified is an error left on purpose for the demo.
				para(cui("SP-IVIC"), "Two minors recovered from a Kestrel boat said they were made to work for recruiters in the camps to pay for their crossing."),
			},
			"routes":         {para(leiEur, "Boats and engines are bought in bulk elsewhere in Europe and driven to storage sites near the French coast. Launches are from beaches and, increasingly, from canals and river mouths.")},
			"finances":       {para(cui("SP-LFNC").rel("GBR"), "Passengers pay GBP 1,500–2,500, mostly through hawala brokers in the United Kingdom and elsewhere in Europe. The organiser's share is moved through money service businesses.")},
			"communications": {para(lei, "Recruiters use messaging apps and voice calls; launch instructions are given only a few hours before departure.")},
			"actions": {list(leiEur,
				"Work with partners to trace bulk purchases of boats and engines.",
				"Share hawala broker indicators with the NCA and European partners.")},
		},
		sources: []product.Source{
			src("NCA intelligence report on Channel launch sites", "NCA", "2026-10-09", uk3x5x2("2B", "P")),
			src("NCA analyst assessment of boat supply chains", "NCA", "2026-08-30", uk5x5x5("B2", "4")),
			src("EUROPOL SIENA message on boat and engine purchases", "EUROPOL", "2026-09-26", europol("A2", "H0")),
		},
	}}
}
