package demo

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// emit turns the generated history into tables in dependency order, then patches and links.
func (g *gen) emit(r *rng) {
	d := g.ds
	var accounts []Row
	regular := 0
	for i, a := range g.accts {
		row := r.accountRow(a, fmt.Sprintf("ACC-%05d", i+1))
		row["owner_id"], row["status"] = userRef(a.Owner), a.status()
		if !a.Since.IsZero() {
			row["customer_since"] = day(a.Since)
		}
		if !a.Churned.IsZero() {
			row["churned_on"] = day(a.Churned)
		}
		if a.Parent >= 0 {
			row["parent_account_id"] = Ref{"account", a.Parent}
		} else {
			regular = i + 1
		}
		accounts = append(accounts, row)
	}
	d.add("account", accounts[:regular]) // groups before their subsidiaries
	d.add("account", accounts[regular:])
	var contacts []Row
	for _, c := range g.contacts {
		a := g.accts[c.Account]
		row := r.contactRow(c, a)
		row["account_id"], row["owner_id"] = Ref{"account", c.Account}, userRef(a.Owner)
		contacts = append(contacts, row)
	}
	d.add("contact", contacts)
	for i, a := range g.accts {
		if a.Primary >= 0 {
			d.Patches = append(d.Patches, Patch{Target: Ref{"account", i}, Values: Row{"primary_contact_id": Ref{"contact", a.Primary}}})
		}
	}
	g.emitMarketing()
	var leads []Row
	for _, l := range g.leads {
		leads = append(leads, g.leadRow(l))
	}
	d.add("lead", leads)
	g.emitOpportunities()
	g.emitKnowledge(r)
	g.emitQueues()
	var cases []Row
	for i, c := range g.cases {
		cases = append(cases, g.caseRow(c))
		if t := caseTopics[c.Topic]; c.Status == "resolved" && t.Article >= 0 && r.chance(0.6) {
			lang := 0
			if g.accts[c.Account].zhText() {
				lang = 1
			}
			d.Links = append(d.Links, Link{From: Ref{"case", i}, Nav: "knowledge_articles", To: Ref{"knowledge_article", 2*t.Article + lang}})
		}
	}
	d.add("case", cases)
	for _, k := range activityKinds {
		d.add(k, g.activities[k])
	}
	d.add("campaign_response", g.responses)
}

func (g *gen) emitMarketing() {
	d := g.ds
	marketer := 1
	var campaigns []Row
	for ci, c := range g.campaigns {
		campaigns = append(campaigns, Row{"name": c.Name, "campaign_type": c.Type, "status": c.status(g.now),
			"starts_on": day(c.Starts), "ends_on": day(c.Ends), "budget": money(c.Budget).Round(-2),
			"expected_revenue": money(c.Budget * 8).Round(-3), "description": c.Description, "owner_id": userRef(marketer)})
		for _, li := range c.Lists {
			d.Links = append(d.Links, Link{From: Ref{"campaign", ci}, Nav: "marketing_lists", To: Ref{"marketing_list", li}})
		}
	}
	d.add("campaign", campaigns)
	var lists []Row
	for li, l := range g.lists {
		row := Row{"name": l.Name, "member_type": "contact", "is_dynamic": l.Dynamic != "", "description": l.Description, "owner_id": userRef(marketer)}
		if l.Dynamic != "" {
			row["query"] = l.Dynamic
		}
		lists = append(lists, row)
		for _, m := range l.Members {
			d.Links = append(d.Links, Link{From: Ref{"marketing_list", li}, Nav: "member_contacts", To: Ref{"contact", m}})
		}
	}
	d.add("marketing_list", lists)
}

func (g *gen) emitOpportunities() {
	var opps, lines []Row
	for i, o := range g.opps {
		a := g.accts[o.Account]
		theme := themes[a.Industry][o.Theme]
		var name string
		switch zh := a.zhText(); {
		case o.Type == "renewal" && zh:
			name = fmt.Sprintf("%s - %d年度续约", a.Short, o.Close.Year())
		case o.Type == "renewal":
			name = fmt.Sprintf("%s — Renewal %d", a.Short, o.Close.Year())
		case o.Type == "expansion" && zh:
			name = a.Short + " - " + theme[1] + "(扩容)"
		case o.Type == "expansion":
			name = a.Short + " — " + theme[0] + " (expansion)"
		case zh:
			name = a.Short + " - " + theme[1]
		default:
			name = a.Short + " — " + theme[0]
		}
		row := Row{"name": truncate(name, 200), "account_id": Ref{"account", o.Account}, "contact_id": Ref{"contact", o.Contact},
			"amount": money(o.Amount), "stage": o.Stage, "probability": o.Prob, "close_date": day(o.Close),
			"opened_on": day(o.Opened), "deal_type": o.Type, "status": o.Status, "owner_id": userRef(a.Owner)}
		if o.Reason != "" {
			row["close_reason"] = o.Reason
		}
		if o.Competitor != "" {
			row["competitor"] = o.Competitor
		}
		if o.Lead >= 0 {
			row["lead_id"] = Ref{"lead", o.Lead}
		}
		if o.Campaign >= 0 {
			row["campaign_id"] = Ref{"campaign", o.Campaign}
		}
		opps = append(opps, row)
		for _, l := range o.Lines {
			lines = append(lines, Row{"opportunity_id": Ref{"opportunity", i}, "product_id": Ref{"product", l.Product},
				"description": products[l.Product].Name, "quantity": decimal.NewFromInt(l.Qty), "unit_price": money(l.Price),
				"discount": money(l.Discount), "total": money(l.Total), "owner_id": userRef(a.Owner)})
		}
	}
	g.ds.add("opportunity", opps)
	g.ds.add("opportunity_line", lines)
}

// SupportAddress is the demo company's support mailbox: e-mail to it opens cases in the Support
// queue (POST /api/v1/intake/email).
const SupportAddress = "support@" + CompanyDomain

// emitQueues writes the Support queue, whose members are the service staff, and the assignment
// rule that puts every case that arrives by e-mail into it (before the cases, which it routes).
func (g *gen) emitQueues() {
	d := g.ds
	d.add("queue", []Row{{"name": "Support · 技术支持", "email_address": SupportAddress, "default_priority": "high",
		"description": "Cases that arrive by e-mail wait here for a support engineer to pick them. 通过电子邮件收到的服务案例在此等待技术支持工程师处理。"}})
	for i, s := range demoStaff {
		if s.Role == "service" {
			d.Links = append(d.Links, Link{From: Ref{"queue", 0}, Nav: "members", To: userRef(i)})
		}
	}
	d.add("assignment_rule", []Row{{"name": "E-mail to the Support queue", "target_entity": "case", "sequence": 10, "is_active": true,
		"condition": "origin eq 'email'", "assign_type": "none", "queue_id": Ref{"queue", 0},
		"description": "Every case that arrives by e-mail goes to the Support queue; its owner stays as given."}})
}
