package demo

import (
	"fmt"
	"math"
	"time"
)

// activityKinds are the activity entities.
var activityKinds = []string{"task", "phone_call", "email", "appointment", "note"}

// act describes one activity before it becomes a row.
type act struct {
	Kind      string
	At        time.Time
	Subject   [2]string // English, Chinese
	Regarding Ref
	Owner     int
	Contact   int // -1: none
	Account   *acct
	High      bool
}

type templates map[string][][2]string

var oppActs = templates{
	"email":       {{"Follow-up: %s", "跟进：%s"}, {"Proposal for %s", "%s方案建议书"}, {"Answers to pricing questions", "报价问题答复"}, {"Meeting summary", "会议纪要"}},
	"phone_call":  {{"Discovery call", "需求沟通电话"}, {"Call about budget and timeline", "预算与时间表沟通"}, {"Check decision status", "确认决策进展"}},
	"appointment": {{"Product demo", "产品演示"}, {"Site survey", "现场勘察"}, {"Technical workshop", "技术交流会"}, {"Contract negotiation", "合同谈判"}},
	"task":        {{"Send proposal", "发送方案建议书"}, {"Prepare quote", "准备报价单"}, {"Update forecast", "更新销售预测"}, {"Arrange a reference call", "安排客户参考电话"}},
	"note":        {{"Notes: stakeholder map", "备注：决策链分析"}, {"Notes: competitor mentioned", "备注：客户提及竞争对手"}, {"Notes: requirements", "备注：需求记录"}},
}

var leadActs = templates{
	"phone_call": {{"Intro call", "初次电话沟通"}},
	"email":      {{"Re: your enquiry", "回复：您的咨询"}},
	"task":       {{"Qualify lead", "评估线索"}},
}

var caseActs = templates{
	"email":       {{"Re: %s", "回复：%s"}},
	"phone_call":  {{"Troubleshooting call", "远程排查电话"}},
	"note":        {{"Troubleshooting notes", "排查记录"}},
	"task":        {{"Follow up with the customer", "回访客户"}},
	"appointment": {{"Remote session", "远程协助会话"}},
}

var accountActs = templates{
	"appointment": {{"Quarterly business review", "季度业务回顾"}, {"On-site visit", "客户现场拜访"}},
	"phone_call":  {{"Customer check-in", "客户例行回访"}, {"Adoption review call", "使用情况回顾电话"}},
	"email":       {{"Product update follow-up", "产品更新通知跟进"}, {"Invitation: user group meeting", "邀请：用户交流会"}},
	"task":        {{"Plan renewal", "规划续约"}, {"Update account plan", "更新客户计划"}},
	"note":        {{"Account plan", "客户计划备注"}},
}

var prospectActs = templates{
	"email":      {{"Introduction to Kestrel", "Kestrel 产品介绍"}},
	"phone_call": {{"Prospecting call", "陌生拜访电话"}},
}

// choose picks an activity kind with weights and a subject template of t.
func (r *rng) choose(t templates, w map[string]float64) (string, [2]string) {
	var kinds []string
	var ws []float64
	for _, k := range activityKinds {
		if len(t[k]) > 0 && w[k] > 0 {
			kinds = append(kinds, k)
			ws = append(ws, w[k])
		}
	}
	k := kinds[r.weighted(ws)]
	return k, pick(r, t[k])
}

var salesMix = map[string]float64{"email": 35, "phone_call": 25, "appointment": 15, "task": 15, "note": 10}

// engagement is how actively a customer works with the company at t: it falls over the six
// months before an account churns, and over the last four months of an account at risk.
func (g *gen) engagement(a *acct, t time.Time) float64 {
	if !a.Churned.IsZero() {
		switch from := a.Churned.AddDate(0, -6, 0); {
		case !t.Before(a.Churned):
			return 0.03
		case t.After(from):
			return 0.1 + 0.9*math.Pow(1-t.Sub(from).Hours()/a.Churned.Sub(from).Hours(), 1.5)
		}
	}
	if a.AtRisk && t.After(g.now.AddDate(0, -4, 0)) {
		return 0.4
	}
	return 1
}

// genActivities creates the timeline: sales activities on opportunities and leads, service
// activities on cases, account management with customers and prospecting of prospects.
func (g *gen) genActivities(r *rng) {
	for i, o := range g.opps {
		a := g.accts[o.Account]
		end := o.Close
		if o.Status == "open" {
			end = g.now
		}
		span := math.Max(1, end.Sub(o.Opened).Hours()/24)
		theme := themes[a.Industry][o.Theme]
		for k := min(10, 1+r.poisson(span/20)); k > 0; k-- {
			kind, s := r.choose(oppActs, salesMix)
			at := r.workTime(o.Opened.Add(days(span*r.float())), a.City.Offset)
			g.addAct(r, act{Kind: kind, At: at, Subject: fill(s, theme), Regarding: Ref{"opportunity", i}, Owner: a.Owner, Contact: o.Contact, Account: a})
		}
		if o.Status == "open" { // the next step
			kind, s := r.choose(oppActs, map[string]float64{"appointment": 1, "task": 1, "phone_call": 1})
			at := r.workTime(g.now.AddDate(0, 0, r.between(1, 21)), a.City.Offset)
			g.addAct(r, act{Kind: kind, At: at, Subject: fill(s, theme), Regarding: Ref{"opportunity", i}, Owner: a.Owner, Contact: o.Contact, Account: a})
		}
	}
	for i, l := range g.leads {
		la := &acct{Zone: l.Zone, City: l.City, Chinese: l.Chinese}
		n := 1
		if l.Status == "qualified" {
			n = 2
		}
		for k := 0; k < n && l.Status != "new"; k++ {
			kind, s := r.choose(leadActs, map[string]float64{"phone_call": 5, "email": 4, "task": 2})
			at := r.workTime(l.Received.AddDate(0, 0, r.between(0, 5)), l.City.Offset)
			g.addAct(r, act{Kind: kind, At: at, Subject: s, Regarding: Ref{"lead", i}, Owner: l.Owner, Contact: -1, Account: la})
		}
	}
	for i, c := range g.cases {
		a := g.accts[c.Account]
		end := c.Resolved
		if end.IsZero() {
			end = g.now
		}
		title := caseTopics[c.Topic]
		for k := 1 + r.poisson(0.45); k > 0; k-- {
			kind, s := r.choose(caseActs, map[string]float64{"email": 5, "phone_call": 3, "note": 2, "task": 1, "appointment": 1})
			at := c.Opened.Add(time.Duration(float64(end.Sub(c.Opened)) * r.float()))
			g.addAct(r, act{Kind: kind, At: at, Subject: fill(s, title.EN, title.ZH), Regarding: Ref{"case", i}, Owner: c.Owner,
				Contact: c.Contact, Account: a, High: c.Priority == "urgent" || c.Priority == "high"})
		}
	}
	hasOpp := make([]bool, len(g.accts))
	for _, o := range g.opps {
		hasOpp[o.Account] = true
	}
	for i, a := range g.accts {
		if a.Since.IsZero() {
			if !hasOpp[i] {
				for k := r.between(0, 3); k > 0; k-- {
					kind, s := r.choose(prospectActs, map[string]float64{"email": 1, "phone_call": 1})
					g.addAct(r, act{Kind: kind, At: r.workTime(r.dayIn(g.start, g.now), a.City.Offset), Subject: s,
						Regarding: Ref{"account", i}, Owner: a.Owner, Contact: g.contactOf(r, a, true), Account: a})
				}
			}
			continue
		}
		from := a.Since
		if from.Before(g.start) {
			from = g.start
		}
		for m := monthStart(from); m.Before(g.now); m = m.AddDate(0, 1, 0) {
			for k := r.poisson(0.33 * g.engagement(a, m.AddDate(0, 0, 15))); k > 0; k-- {
				at := r.workTime(r.dayIn(m, monthEnd(m).AddDate(0, 0, 1)), a.City.Offset)
				if at.Before(from) || at.After(g.now) {
					continue
				}
				kind, s := r.choose(accountActs, salesMix)
				reg, contact := Ref{"account", i}, g.contactOf(r, a, true)
				if r.chance(0.1) {
					reg = Ref{"contact", contact}
				}
				g.addAct(r, act{Kind: kind, At: at, Subject: s, Regarding: reg, Owner: a.Owner, Contact: contact, Account: a})
			}
		}
	}
}

// fill formats a subject template with its English and Chinese arguments.
func fill(s [2]string, args ...any) [2]string {
	if len(args) == 0 {
		return s
	}
	en, zh := args[0], args[0]
	switch x := args[0].(type) {
	case [2]string:
		en, zh = x[0], x[1]
	}
	if len(args) == 2 {
		zh = args[1]
	}
	if countVerbs(s[0]) > 0 {
		s[0] = fmt.Sprintf(s[0], en)
	}
	if countVerbs(s[1]) > 0 {
		s[1] = fmt.Sprintf(s[1], zh)
	}
	return s
}

func countVerbs(s string) int {
	n := 0
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' && s[i+1] == 's' {
			n++
		}
	}
	return n
}

// addAct turns an activity into a row of its entity.
func (g *gen) addAct(r *rng, x act) {
	zh := x.Account.zhText()
	subject := x.Subject[0]
	if zh {
		subject = x.Subject[1]
	}
	row := Row{"subject": subject, "regarding_id": x.Regarding, "regarding_type": x.Regarding.Entity,
		"due_at": x.At, "owner_id": userRef(x.Owner), "priority": "normal"}
	if x.High {
		row["priority"] = "high"
	}
	switch {
	case x.At.After(g.now):
		row["status"] = "open"
	case x.Kind == "note":
		row["status"] = "completed"
	default:
		row["status"] = []string{"completed", "canceled", "open"}[r.weighted([]float64{93, 4, 3})]
	}
	user := demoStaff[x.Owner]
	var contact *contactInfo
	if x.Contact >= 0 {
		contact = &g.contacts[x.Contact]
	}
	switch x.Kind {
	case "task":
		row["percent_complete"] = int64(0)
		if row["status"] == "completed" {
			row["percent_complete"] = int64(100)
		}
	case "phone_call":
		row["direction"] = []string{"outbound", "inbound"}[r.weighted([]float64{7, 3})]
		if contact != nil {
			row["phone_number"] = contact.Phone
		}
	case "email":
		dir := []string{"outbound", "inbound"}[r.weighted([]float64{6, 4})]
		row["direction"] = dir
		row["message_id"] = fmt.Sprintf("<%08x.%04x@%s>", r.r.Uint32(), r.intn(1<<16), CompanyDomain)
		if contact != nil {
			from, to := user.Email+"@"+CompanyDomain, contact.Email
			if dir == "inbound" {
				from, to = to, from
			}
			row["sender"], row["to_recipients"] = from, to
		}
	case "appointment":
		row["starts_at"] = x.At
		row["ends_at"] = x.At.Add(time.Duration([]int{30, 45, 60, 90}[r.intn(4)]) * time.Minute)
		if zh {
			row["location"] = pick(r, []string{"客户现场", "腾讯会议", "企业微信视频会议", "红隼上海办公室"})
		} else {
			row["location"] = pick(r, []string{"Customer site", "Microsoft Teams", "Zoom", "Kestrel office"})
		}
	case "note":
		if contact != nil {
			if zh {
				row["description"] = fmt.Sprintf("主要联系人：%s（%s）。", contact.P.full(), contact.Title.ZH)
			} else {
				row["description"] = fmt.Sprintf("Main contact: %s (%s).", contact.P.full(), contact.Title.EN)
			}
		}
	}
	g.activities[x.Kind] = append(g.activities[x.Kind], row)
}
