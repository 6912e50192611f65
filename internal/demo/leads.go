package demo

import (
	"fmt"
	"math"
	"time"
)

// leadSource holds a lead source's share of leads and how often its leads qualify.
type leadSource struct {
	Name         string
	Weight       float64
	Qualify      float64
	WinFactor    float64 // multiplier on stage conversion of the opportunities it brings
	ValueFactor  float64
	CampaignKind []string // campaign types that produce it
}

var leadSources = []leadSource{
	{"web", 30, 0.17, 0.98, 0.9, nil},
	{"campaign", 18, 0.15, 0.98, 0.9, []string{"email", "advertisement", "social", "webinar"}},
	{"event", 14, 0.22, 1.00, 1.1, []string{"event", "webinar"}},
	{"referral", 10, 0.42, 1.06, 1.2, nil},
	{"partner", 10, 0.34, 1.04, 1.3, nil},
	{"cold_call", 12, 0.08, 0.93, 1.0, nil},
	{"other", 6, 0.12, 0.97, 0.8, nil},
}

func sourceInfo(name string) leadSource {
	for _, s := range leadSources {
		if s.Name == name {
			return s
		}
	}
	return leadSource{Name: name, WinFactor: 0.96, ValueFactor: 1} // outbound: no lead
}

// leadInfo is a generated lead.
type leadInfo struct {
	Zone, Source, Status, Rating string
	Received, Qualified          time.Time
	Account, Contact, Campaign   int // -1 when none
	Company, Industry, Subject   string
	P                            person
	Title                        title
	City                         *city
	Email, Phone                 string
	Value                        float64
	Owner                        int
	Chinese                      bool
	Reason                       int // why a disqualified lead was (index into the reasons)
}

// leadMonths returns, for zone, the weight of each month of the history window: seasonality
// and 25% growth a year.
func (g *gen) leadMonths(zone string) ([]time.Time, []float64) {
	var ms []time.Time
	var ws []float64
	for m := monthStart(g.start); m.Before(g.now); m = m.AddDate(0, 1, 0) {
		age := g.now.Sub(m).Hours() / 24 / 365
		ms = append(ms, m)
		ws = append(ws, leadSeason[zone][m.Month()-1]*math.Pow(1.25, -age))
	}
	return ms, ws
}

// genLeads creates leads over the history window. Qualified leads become the first
// opportunity of an account that was not yet a customer.
func (g *gen) genLeads(r *rng) {
	n := g.scaled(demoLeads)
	sw := make([]float64, len(leadSources))
	for i, s := range leadSources {
		sw[i] = s.Weight
	}
	// Prospects per zone, in random order, to take qualified leads.
	pool := map[string][]int{}
	for _, i := range r.r.Perm(len(g.accts)) {
		if a := g.accts[i]; !a.Legacy && a.Parent < 0 {
			pool[a.Zone] = append(pool[a.Zone], i)
		}
	}
	nm := &naming{}
	for _, zone := range zones {
		ms, ws := g.leadMonths(zone)
		for k := int(float64(n)*zoneShare[zone] + 0.5); k > 0; k-- {
			m := ms[r.weighted(ws)]
			received := r.dayIn(m, monthEnd(m).AddDate(0, 0, 1))
			if received.After(g.now) {
				received = g.now
			}
			src := leadSources[r.weighted(sw)]
			l := &leadInfo{Zone: zone, Source: src.Name, Received: received, Account: -1, Contact: -1, Campaign: -1,
				Owner: g.next("sales", zone)}
			l.Campaign = g.campaignFor(r, zone, src, received)
			if l.Campaign < 0 && src.Name == "campaign" {
				l.Source = "web"
			}
			qualifies := r.chance(src.Qualify)
			age := g.now.Sub(received).Hours() / 24
			switch {
			case qualifies && age > 4:
				l.Qualified = received.AddDate(0, 0, r.between(2, int(math.Min(30, age))))
				l.Status = "qualified"
				l.Rating = []string{"hot", "warm", "cold"}[r.weighted([]float64{5, 4, 1})]
				if p := pool[zone]; len(p) > 0 {
					l.Account, pool[zone] = p[0], p[1:]
					g.accts[l.Account].Taken = true
				} else if l.Account = g.customerIn(r, zone); l.Account < 0 {
					l.Status, l.Qualified = "contacted", time.Time{}
				}
			case age < 10:
				l.Status = []string{"new", "contacted"}[r.weighted([]float64{6, 4})]
			case age < 60:
				l.Status = []string{"contacted", "disqualified"}[r.weighted([]float64{6, 4})]
			default:
				l.Status = []string{"disqualified", "contacted"}[r.weighted([]float64{75, 25})]
			}
			if l.Rating == "" {
				l.Rating = []string{"hot", "warm", "cold"}[r.weighted([]float64{1, 7, 12})]
			}
			l.Reason = r.intn(5)
			g.fillLead(r, l, nm)
			l.Value = industryInfo[l.Industry].DealMedian * src.ValueFactor * r.logNormal(1, 0.6)
			g.leads = append(g.leads, l)
		}
	}
}

// customerIn returns a random legacy customer of zone (for inbound leads once every prospect
// has one), any account of zone when there is none, or -1.
func (g *gen) customerIn(r *rng, zone string) int {
	var legacy, any []int
	for i, a := range g.accts {
		if a.Zone == zone {
			any = append(any, i)
			if a.Legacy {
				legacy = append(legacy, i)
			}
		}
	}
	switch {
	case len(legacy) > 0:
		return pick(r, legacy)
	case len(any) > 0:
		return pick(r, any)
	}
	return -1
}

// fillLead sets who the lead is: the contact of its account when qualified, else a new person
// at a company that may never become an account.
func (g *gen) fillLead(r *rng, l *leadInfo, nm *naming) {
	if l.Account >= 0 {
		a := g.accts[l.Account]
		l.Contact = g.contactOf(r, a, true)
		c := g.contacts[l.Contact]
		l.P, l.Title, l.Email, l.Phone = c.P, c.Title, c.Email, c.Phone
		l.Company, l.Industry, l.City, l.Chinese = a.Name, a.Industry, a.City, a.zhText()
	} else {
		a := r.newAccount(l.Zone, nil, nm)
		c := r.newContact(a, -1)
		l.P, l.Title, l.Email, l.Phone = c.P, c.Title, c.Email, c.Phone
		l.Company, l.Industry, l.City, l.Chinese = a.Name, a.Industry, a.City, a.zhText()
	}
	topic := pick(r, leadTopics)
	if l.Chinese {
		l.Subject = topic[1]
	} else {
		l.Subject = topic[0]
	}
}

var leadTopics = [][2]string{
	{"Energy monitoring for our plants", "工厂能耗监测方案咨询"},
	{"Request for a quote: edge gateways", "边缘网关报价申请"},
	{"Predictive maintenance pilot", "预测性维护试点咨询"},
	{"Cold chain temperature monitoring", "冷链温度监测需求"},
	{"Demo request: Kestrel Cloud", "申请 Kestrel Cloud 产品演示"},
	{"Replacing our SCADA historian", "替换现有 SCADA 历史数据库"},
	{"Air quality sensors for offices", "办公楼空气质量传感器"},
	{"Asset tracking in warehouses", "仓库资产追踪方案"},
	{"Question about pricing per device", "按设备计费的价格咨询"},
	{"Smart campus project", "智慧校园项目咨询"},
	{"Integration with SAP and MES", "与 SAP 和 MES 系统集成"},
	{"Partner programme enquiry", "渠道合作咨询"},
}

// leadRow returns the stored fields of lead l.
func (g *gen) leadRow(l *leadInfo) Row {
	row := Row{"subject": l.Subject, "first_name": l.P.First, "last_name": l.P.Last, "company_name": l.Company,
		"email": l.Email, "phone": l.Phone, "industry": l.Industry, "source": l.Source, "status": l.Status,
		"rating": l.Rating, "estimated_value": money(math.Round(l.Value/100) * 100), "city": l.City.Name,
		"country": l.City.Country, "received_on": day(l.Received), "owner_id": userRef(l.Owner)}
	if l.Chinese {
		row["job_title"] = l.Title.ZH
	} else {
		row["job_title"] = l.Title.EN
	}
	if !l.Qualified.IsZero() {
		row["qualified_on"] = day(l.Qualified)
		row["account_id"], row["contact_id"] = Ref{"account", l.Account}, Ref{"contact", l.Contact}
	}
	if l.Campaign >= 0 {
		row["campaign_id"] = Ref{"campaign", l.Campaign}
	}
	switch l.Status {
	case "disqualified":
		reasons := []string{"No budget", "No project in the next 12 months", "Student or job seeker", "Competitor research", "Too small for a direct deal"}
		if l.Chinese {
			reasons = []string{"暂无预算", "未来12个月没有项目", "学生或求职者", "竞争对手调研", "规模太小，转交渠道"}
		}
		row["description"] = reasons[l.Reason]
	case "qualified":
		if l.Chinese {
			row["description"] = fmt.Sprintf("已认定，转为商机。来源：%s。", l.Source)
		} else {
			row["description"] = fmt.Sprintf("Qualified and converted to an opportunity (source: %s).", l.Source)
		}
	}
	return row
}
