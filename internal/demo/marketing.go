package demo

import (
	"fmt"
	"strings"
	"time"
)

// campaignInfo is a generated campaign.
type campaignInfo struct {
	Name, Type, Zone string // Zone "" is global
	Starts, Ends     time.Time
	Budget           float64
	Lists            []int
	Description      string
}

// campaign plan: month offset from the start of the history window, zone, type, English and
// Chinese names ({Y} is the year). Zones with Chinese names use them.
var campaignPlan = []struct {
	Month      int
	Zone, Type string
	EN, ZH     string
	Days       int
	Budget     float64
}{
	{1, zoneChina, "event", "Industrial Automation Expo Shanghai {Y}", "{Y} 上海国际工业自动化展", 45, 120_000},
	{3, zoneEMEA, "event", "Smart Manufacturing Summit Munich {Y}", "", 45, 95_000},
	{4, "", "webinar", "Webinar: Predictive maintenance with Kestrel Sense", "网络研讨会：用 Kestrel Sense 做预测性维护", 30, 8_000},
	{6, zoneChina, "social", "WeChat series: smart factory stories", "微信专题：智慧工厂案例分享", 60, 15_000},
	{8, zoneAmericas, "advertisement", "LinkedIn ads: energy monitoring for plants", "", 60, 40_000},
	{9, zoneAPAC, "event", "IoT Asia Singapore {Y}", "", 45, 70_000},
	{11, "", "email", "Kestrel Cloud 3.0 launch", "Kestrel Cloud 3.0 发布", 14, 6_000},
	{13, zoneChina, "webinar", "Webinar: choosing an industrial gateway", "线上研讨会：工业网关选型指南", 30, 7_000},
	{15, zoneEMEA, "email", "Energy efficiency campaign EMEA", "", 21, 9_000},
	{17, zoneChina, "event", "Shenzhen IoT Expo {Y}", "{Y} 深圳物联网博览会", 45, 110_000},
	{20, "", "webinar", "Webinar: securing industrial IoT with SSO and audit", "网络研讨会：用 SSO 与审计保障工业物联网安全", 30, 9_000},
	{23, zoneAmericas, "email", "Year-end offer: upgrade to Cloud Business", "", 21, 5_000},
	{25, zoneChina, "event", "Industrial Automation Expo Shanghai {Y}", "{Y} 上海国际工业自动化展", 45, 130_000},
}

// listInfo is a marketing list.
type listInfo struct {
	Name, Zone  string
	Industries  []string
	MinLevel    int
	Customers   bool // only contacts of customers
	Members     []int
	Dynamic     string // $filter of a query-based list
	Description string
}

func (g *gen) planCampaigns(r *rng) {
	for _, p := range campaignPlan {
		starts := monthStart(g.start).AddDate(0, p.Month, r.between(0, 20))
		c := &campaignInfo{Type: p.Type, Zone: p.Zone, Starts: starts, Ends: starts.AddDate(0, 0, p.Days),
			Budget: p.Budget * r.logNormal(1, 0.15)}
		c.Name = strings.ReplaceAll(p.EN, "{Y}", fmt.Sprint(starts.AddDate(0, 0, p.Days*2/3).Year()))
		if p.ZH != "" && p.Zone == zoneChina {
			c.Name = strings.ReplaceAll(p.ZH, "{Y}", fmt.Sprint(starts.AddDate(0, 0, p.Days*2/3).Year()))
		}
		c.Description = map[string]string{"event": "Booth, talks and customer dinners", "webinar": "Live session with Q&A; recording sent to registrants",
			"email": "Email sequence to marketing lists", "advertisement": "Paid social and search ads", "social": "Articles and case videos"}[p.Type]
		g.campaigns = append(g.campaigns, c)
	}
}

// campaignFor returns the campaign running in zone at t that produces leads of src, or -1.
func (g *gen) campaignFor(r *rng, zone string, src leadSource, t time.Time) int {
	var found []int
	for i, c := range g.campaigns {
		if (c.Zone == zone || c.Zone == "") && !t.Before(c.Starts) && !t.After(c.Ends.AddDate(0, 0, 30)) {
			for _, k := range src.CampaignKind {
				if k == c.Type {
					found = append(found, i)
				}
			}
		}
	}
	if len(found) == 0 {
		return -1
	}
	return pick(r, found)
}

func (c *campaignInfo) status(now time.Time) string {
	switch {
	case c.Starts.After(now):
		return "planned"
	case c.Ends.Before(now):
		return "completed"
	}
	return "active"
}

var marketingLists = []listInfo{
	{Name: "China manufacturing & energy decision makers", Zone: zoneChina, Industries: []string{"manufacturing", "energy"}, MinLevel: 2, Description: "中国区制造业与能源行业决策者"},
	{Name: "China IT and operations managers", Zone: zoneChina, MinLevel: 1, Description: "中国区信息化与运营负责人"},
	{Name: "APAC customers", Zone: zoneAPAC, Customers: true, Description: "All contacts of customers in Asia-Pacific"},
	{Name: "EMEA industrial prospects", Zone: zoneEMEA, Industries: []string{"manufacturing", "logistics", "energy"}, MinLevel: 1, Description: "Managers at industrial companies in Europe"},
	{Name: "Americas decision makers", Zone: zoneAmericas, MinLevel: 2, Description: "Directors and executives in the Americas"},
	{Name: "Customer newsletter", Customers: true, MinLevel: 1, Description: "Managers and executives at every customer"},
	{Name: "Cold chain and retail", Industries: []string{"logistics", "retail", "healthcare"}, MinLevel: 1, Description: "Temperature monitoring audience"},
	{Name: "Chinese-speaking contacts (dynamic)", Dynamic: "preferred_language eq 'zh'", Description: "Query-based list"},
}

// genMarketing fills the marketing lists, links campaigns to them and records how members and
// the leads campaigns brought responded.
func (g *gen) genMarketing(r *rng) {
	limit := g.scaled(300)
	for _, tmpl := range marketingLists {
		l := tmpl
		l.Members = nil
		if l.Dynamic == "" {
			for _, ci := range r.r.Perm(len(g.contacts)) {
				c := g.contacts[ci]
				a := g.accts[c.Account]
				if len(l.Members) >= limit || c.NoEmail || c.Title.Level < l.MinLevel || (l.Zone != "" && a.Zone != l.Zone) ||
					(l.Customers && a.Since.IsZero()) || (len(l.Industries) > 0 && !contains(l.Industries, a.Industry)) {
					continue
				}
				l.Members = append(l.Members, ci)
			}
		}
		g.lists = append(g.lists, &l)
	}
	for ci, c := range g.campaigns {
		for li, l := range g.lists {
			if l.Dynamic == "" && (l.Zone == c.Zone || (c.Zone == "" && l.Customers && l.Zone == "")) {
				c.Lists = append(c.Lists, li)
			}
		}
		if c.Starts.After(g.now) {
			continue
		}
		seen := map[int]bool{}
		for _, li := range c.Lists {
			for _, m := range g.lists[li].Members {
				if !seen[m] {
					seen[m] = true
					g.respond(r, ci, c, m)
				}
			}
		}
	}
	for li, l := range g.leads {
		if l.Campaign >= 0 {
			c := g.campaigns[l.Campaign]
			typ := "clicked"
			if c.Type == "event" || c.Type == "webinar" {
				typ = "registered"
			}
			g.addResponse(l.Campaign, typ, l.Received, Row{"lead_id": Ref{"lead", li}}, l.Chinese)
		}
	}
}

// respond records what contact m did with campaign c: opened, clicked and replied to emails,
// registered for and attended events and webinars, clicked ads.
func (g *gen) respond(r *rng, ci int, c *campaignInfo, m int) {
	contact := g.contacts[m]
	a := g.accts[contact.Account]
	ends := c.Ends
	if ends.After(g.now) {
		ends = g.now
	}
	when := func() time.Time { return r.dayIn(c.Starts, ends.AddDate(0, 0, 1)) }
	who := Row{"contact_id": Ref{"contact", m}, "account_id": Ref{"account", contact.Account}}
	zh := a.zhText()
	// Customers at risk of leaving stop reading.
	interest := g.engagement(a, g.now)
	switch c.Type {
	case "email":
		if r.chance(0.38 * interest) {
			g.addResponse(ci, "opened", when(), who, zh)
			if r.chance(0.3) {
				g.addResponse(ci, "clicked", when(), who, zh)
				if r.chance(0.08) {
					g.addResponse(ci, "replied", when(), who, zh)
				}
			}
		}
		if r.chance(0.015 / interest) {
			g.addResponse(ci, "unsubscribed", when(), who, zh)
		}
	case "webinar", "event":
		if r.chance(map[string]float64{"webinar": 0.14, "event": 0.09}[c.Type] * interest) {
			g.addResponse(ci, "registered", when(), who, zh)
			if r.chance(map[string]float64{"webinar": 0.55, "event": 0.65}[c.Type]) {
				g.addResponse(ci, "attended", c.Ends.AddDate(0, 0, -2), who, zh)
			}
		}
	default:
		if r.chance(0.05 * interest) {
			g.addResponse(ci, "clicked", when(), who, zh)
		}
	}
}

var responseSubjects = map[string][2]string{
	"opened": {"Opened: %s", "已打开：%s"}, "clicked": {"Clicked: %s", "已点击：%s"}, "registered": {"Registered: %s", "已报名：%s"},
	"attended": {"Attended: %s", "已参加：%s"}, "replied": {"Replied: %s", "已回复：%s"}, "unsubscribed": {"Unsubscribed: %s", "已退订：%s"},
}

func (g *gen) addResponse(ci int, typ string, on time.Time, who Row, zh bool) {
	c := g.campaigns[ci]
	channel := map[string]string{"email": "email", "webinar": "web", "event": "event", "advertisement": "web", "social": "social"}[c.Type]
	if c.Type == "social" && c.Zone == zoneChina {
		channel = "wechat"
	}
	s := responseSubjects[typ][0]
	if zh {
		s = responseSubjects[typ][1]
	}
	row := Row{"subject": truncate(fmt.Sprintf(s, c.Name), 200), "campaign_id": Ref{"campaign", ci}, "response_type": typ,
		"channel": channel, "responded_on": day(on), "owner_id": userRef(1)}
	for k, v := range who {
		row[k] = v
	}
	g.responses = append(g.responses, row)
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
