package demo

import (
	"fmt"
	"math"
	"time"
)

// caseTopic is a kind of support case, with the knowledge article that answers it (-1: none).
type caseTopic struct {
	EN, ZH   string
	Category string
	Article  int
	Weight   float64
}

var caseTopics = []caseTopic{
	{"Hub shows offline in Kestrel Cloud", "网关在 Kestrel Cloud 中显示离线", "problem", 4, 10},
	{"Sensor readings missing or delayed", "传感器数据缺失或延迟", "problem", 5, 9},
	{"Firmware update failed on hub", "网关固件升级失败", "problem", 3, 5},
	{"Alarm notifications not received", "收不到告警通知", "problem", 8, 6},
	{"SSO login fails with a SAML error", "SSO 单点登录失败(SAML 错误)", "problem", 10, 4},
	{"Question about an invoice", "关于账单的疑问", "question", 19, 6},
	{"Add devices to our subscription", "订阅增加设备数", "request", 20, 5},
	{"API returns 429 Too Many Requests", "API 返回 429 请求过多", "problem", 17, 4},
	{"CSV import of devices rejected rows", "CSV 导入设备时部分行被拒绝", "problem", 14, 4},
	{"Dashboard loads slowly", "仪表板加载缓慢", "problem", 24, 4},
	{"How to configure alarm rules", "如何配置告警规则", "question", 7, 6},
	{"VAT invoice (fapiao) request", "申请开具增值税专用发票", "request", 21, 3},
	{"TLS certificate error on hub", "网关 TLS 证书错误", "problem", 27, 3},
	{"Password reset and MFA", "重置密码与多因素认证", "question", 12, 5},
	{"Repeated outages at our site", "现场设备频繁掉线", "complaint", 4, 3},
	{"Support response too slow", "技术支持响应太慢", "complaint", 29, 2},
	{"Energy report baseline looks wrong", "能耗报告基线不正确", "question", 26, 3},
	{"Predictive maintenance false alarms", "预测性维护模型误报", "problem", 25, 3},
	{"Training for new operators", "新操作员培训", "request", -1, 3},
	{"Data retention limit reached", "数据存储已达上限", "problem", 23, 2},
	{"Webhook deliveries failing", "Webhook 推送失败", "problem", 18, 2},
	{"Change of billing contact", "变更账单联系人", "request", 19, 2},
}

var sitesEN = []string{"Plant 2", "Warehouse B", "Building 3", "Line 4", "Head office", "Distribution centre", "Lab 1"}
var sitesZH = []string{"2号厂房", "B仓库", "3号楼", "4号产线", "总部", "配送中心", "1号实验室"}

// Resolution targets in hours by priority (the medians the service team achieves).
var resolveHours = map[string]float64{"urgent": 6, "high": 30, "normal": 72, "low": 140}

// caseInfo is a generated case.
type caseInfo struct {
	Account, Contact, Topic  int
	Priority, Origin, Status string
	Opened, Resolved         time.Time
	Satisfaction             int64
	Owner                    int
	Site                     int // -1: none
	Escalated                bool
}

// genCases creates support cases for customers while they are customers. In the six months
// before an account churns (and the last four months of accounts at risk) it has more cases,
// more of them urgent or complaints, slower and often never resolved.
func (g *gen) genCases(r *rng) {
	tw := make([]float64, len(caseTopics))
	for i, t := range caseTopics {
		tw[i] = t.Weight
	}
	for i, a := range g.accts {
		if a.Since.IsZero() {
			continue
		}
		from, end := a.Since, g.now
		if from.Before(g.start) {
			from = g.start
		}
		if !a.Churned.IsZero() {
			end = a.Churned.AddDate(0, 0, 20)
		}
		if !from.Before(end) {
			continue
		}
		years := end.Sub(from).Hours() / 24 / 365
		for k := r.poisson(0.6 * math.Sqrt(a.Size) * years); k > 0; k-- {
			g.addCase(r, i, r.dayIn(from, end), false, tw)
		}
		switch {
		case !a.Churned.IsZero():
			for k := r.poisson(2.6); k > 0; k-- {
				g.addCase(r, i, r.dayIn(a.Churned.AddDate(0, -6, 0), a.Churned), true, tw)
			}
		case a.AtRisk:
			for k := r.poisson(1.6); k > 0; k-- {
				g.addCase(r, i, r.dayIn(g.now.AddDate(0, -4, 0), g.now), true, tw)
			}
		}
	}
}

func (g *gen) addCase(r *rng, account int, day time.Time, escalated bool, tw []float64) {
	a := g.accts[account]
	c := &caseInfo{Account: account, Contact: g.contactOf(r, a, false), Owner: g.next("service", a.Zone), Site: -1, Escalated: escalated}
	prio := []float64{25, 47, 21, 7}
	if escalated {
		prio = []float64{5, 25, 45, 25}
		tw = append([]float64(nil), tw...)
		for i, t := range caseTopics {
			if t.Category == "complaint" {
				tw[i] *= 6
			}
		}
	}
	c.Topic = r.weighted(tw)
	c.Priority = []string{"low", "normal", "high", "urgent"}[r.weighted(prio)]
	c.Origin = []string{"email", "phone", "portal", "web", "iot"}[r.weighted([]float64{33, 24, 20, 15, 8})]
	if c.Origin == "iot" && caseTopics[c.Topic].Category != "problem" {
		c.Origin = "portal"
	}
	if r.chance(0.4) {
		c.Site = r.intn(len(sitesEN))
	}
	c.Opened = r.workTime(day, a.City.Offset)
	if c.Origin == "iot" {
		c.Opened = day.Add(time.Duration(r.intn(24*60)) * time.Minute)
	}
	hours := resolveHours[c.Priority] * r.logNormal(1, 0.8)
	if escalated {
		hours *= 2.2
	}
	resolved := c.Opened.Add(time.Duration(hours * float64(time.Hour)))
	stuck := escalated && r.chance(0.45)
	switch {
	case !stuck && resolved.Before(g.now) && r.chance(0.97):
		c.Status, c.Resolved = "resolved", resolved
		if r.chance(0.65) {
			score := 4.4 + r.normal(0, 0.6)
			if hours > 1.5*resolveHours[c.Priority] {
				score -= 0.9
			}
			if escalated {
				score -= 1.3
			}
			if caseTopics[c.Topic].Category == "complaint" {
				score -= 0.5
			}
			c.Satisfaction = int64(math.Max(1, math.Min(5, math.Round(score))))
		}
	case !stuck && resolved.Before(g.now):
		c.Status = "canceled"
	case g.now.Sub(c.Opened) < 24*time.Hour:
		c.Status = "new"
	default:
		c.Status = []string{"in_progress", "waiting"}[r.weighted([]float64{6, 4})]
	}
	g.cases = append(g.cases, c)
}

// caseRow returns the stored fields of c.
func (g *gen) caseRow(c *caseInfo) Row {
	a, t := g.accts[c.Account], caseTopics[c.Topic]
	contact := g.contacts[c.Contact]
	row := Row{"account_id": Ref{"account", c.Account}, "contact_id": Ref{"contact", c.Contact}, "priority": c.Priority,
		"status": c.Status, "category": t.Category, "origin": c.Origin, "opened_at": c.Opened, "owner_id": userRef(c.Owner)}
	zh := a.zhText()
	if zh {
		row["title"] = t.ZH
		if c.Site >= 0 {
			row["title"] = t.ZH + "(" + sitesZH[c.Site] + ")"
		}
		row["description"] = fmt.Sprintf("%s通过%s反馈：%s。", contact.P.full(), originZH[c.Origin], t.ZH)
	} else {
		row["title"] = t.EN
		if c.Site >= 0 {
			row["title"] = t.EN + " — " + sitesEN[c.Site]
		}
		row["description"] = fmt.Sprintf("%s reported by %s: %s.", originEN[c.Origin], contact.P.full(), t.EN)
	}
	if c.Status == "resolved" {
		row["resolved_at"] = c.Resolved
		switch {
		case t.Article >= 0 && zh:
			row["resolution"] = fmt.Sprintf("按照知识文章《%s》处理，客户确认问题已解决。", articles[t.Article].ZH.Title)
		case t.Article >= 0:
			row["resolution"] = fmt.Sprintf("Followed the knowledge article \"%s\"; the customer confirmed the issue is resolved.", articles[t.Article].EN.Title)
		case zh:
			row["resolution"] = "已安排并完成，客户确认。"
		default:
			row["resolution"] = "Scheduled and delivered; the customer confirmed."
		}
	}
	if c.Satisfaction > 0 {
		row["satisfaction"] = c.Satisfaction
	}
	return row
}

var originEN = map[string]string{"email": "Email", "phone": "Phone call", "portal": "Portal request", "web": "Web form", "iot": "Device alert"}
var originZH = map[string]string{"email": "邮件", "phone": "电话", "portal": "客户门户", "web": "网站表单", "iot": "设备告警"}
