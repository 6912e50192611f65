package bench

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// get performs an authenticated API GET and drains the body.
func (e *Env) get(path string) error {
	req, err := http.NewRequest(http.MethodGet, e.BaseURL+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+e.Token)
	resp, err := e.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return nil
}

func (e *Env) post(path, body string) error {
	req, err := http.NewRequest(http.MethodPost, e.BaseURL+path, bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+e.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST %s: %d %s", path, resp.StatusCode, b)
	}
	return nil
}

// rawQuery runs q and scans every column of every row, as a hand-written data layer would, with
// the same prepared-statement cache the API's reads use.
func (e *Env) rawQuery(q string, args ...any) error {
	rows, err := e.App.Store.Query(context.Background(), q, args...)
	if err != nil {
		return err
	}
	return scanAll(rows)
}

func scanAll(rows *sql.Rows) error {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("raw query returned no rows")
	}
	return rows.Err()
}

// accountColumns lists the account table's columns for raw SELECTs.
func (e *Env) accountColumns(alias string) string {
	var cols []string
	for _, a := range e.App.Registry.System().Entity("account").Columns() {
		cols = append(cols, alias+store.Quote(a.Name))
	}
	return strings.Join(cols, ", ")
}

// Run measures every scenario. Create runs last because it changes the data.
func (e *Env) Run(d time.Duration) ([]Result, error) {
	ph := e.App.Store.D.Placeholder
	tid := e.Tenant.ID
	cols := e.accountColumns("")
	tcols := e.accountColumns("t.")
	nulls := " NULLS FIRST"
	if e.App.Store.D.Name() != "postgres" {
		nulls = ""
	}
	type scenario struct {
		name     string
		api, raw func(i int) error
		note     string
	}
	q := url.QueryEscape
	scenarios := []scenario{
		{name: "get by id",
			api: func(i int) error { return e.get("accounts(" + e.IDs[i%len(e.IDs)] + ")") },
			raw: func(i int) error {
				return e.rawQuery(`SELECT `+cols+` FROM "account" WHERE "tenant_id" = `+ph(1)+` AND "id" = `+ph(2), tid, e.IDs[i%len(e.IDs)])
			}},
		{name: "list 50 by name",
			api: func(int) error { return e.get("accounts?$top=50&$orderby=name") },
			raw: func(int) error {
				return e.rawQuery(`SELECT `+cols+` FROM "account" WHERE "tenant_id" = `+ph(1)+` ORDER BY "name"`+nulls+`, "id" LIMIT 50`, tid)
			}},
		{name: "filtered list (city)",
			api: func(i int) error {
				return e.get("accounts?$top=50&$filter=" + q("city eq '"+strings.ReplaceAll(Cities[i%len(Cities)], "'", "''")+"'"))
			},
			raw: func(i int) error {
				return e.rawQuery(`SELECT `+cols+` FROM "account" WHERE "tenant_id" = `+ph(1)+` AND "city" = `+ph(2)+` ORDER BY "id" LIMIT 50`, tid, Cities[i%len(Cities)])
			}},
		{name: "list 50 + $count",
			api: func(int) error { return e.get("accounts?$top=50&$orderby=name&$count=true") },
			raw: func(int) error {
				if err := e.rawQuery(`SELECT `+cols+` FROM "account" WHERE "tenant_id" = `+ph(1)+` ORDER BY "name"`+nulls+`, "id" LIMIT 50`, tid); err != nil {
					return err
				}
				return e.rawQuery(`SELECT COUNT(*) FROM "account" WHERE "tenant_id" = `+ph(1), tid)
			},
			note: "raw side counts with COUNT(*); the API answers an unfiltered $count from the row counter the write path maintains"},
		{name: "filtered list + $count",
			api: func(i int) error {
				return e.get("accounts?$top=50&$count=true&$filter=" + q("city eq '"+strings.ReplaceAll(Cities[i%len(Cities)], "'", "''")+"'"))
			},
			raw: func(i int) error {
				if err := e.rawQuery(`SELECT `+cols+` FROM "account" WHERE "tenant_id" = `+ph(1)+` AND "city" = `+ph(2)+` ORDER BY "id" LIMIT 50`, tid, Cities[i%len(Cities)]); err != nil {
					return err
				}
				return e.rawQuery(`SELECT COUNT(*) FROM "account" WHERE "tenant_id" = `+ph(1)+` AND "city" = `+ph(2), tid, Cities[i%len(Cities)])
			}},
		{name: "$expand primary contact",
			api: func(int) error {
				return e.get("accounts?$top=50&$orderby=name&$expand=primary_contact_id($select=full_name,email)")
			},
			raw: func(int) error {
				return e.rawQuery(`SELECT `+tcols+`, c."full_name", c."email" FROM "account" t LEFT JOIN "contact" c ON c."tenant_id" = t."tenant_id" AND c."id" = t."primary_contact_id" WHERE t."tenant_id" = `+ph(1)+` ORDER BY t."name"`+nulls+`, t."id" LIMIT 50`, tid)
			}},
		{name: "$apply group by industry",
			api: func(int) error {
				return e.get("accounts?$apply=" + q("groupby((industry),aggregate(revenue with sum as total,$count as n))"))
			},
			raw: func(int) error {
				return e.rawQuery(`SELECT "industry", SUM("revenue"), COUNT(*) FROM "account" WHERE "tenant_id" = `+ph(1)+` GROUP BY "industry" ORDER BY 1`, tid)
			}},
	}
	var results []Result
	for _, s := range scenarios {
		api, err := Measure(d, s.api)
		if err != nil {
			return nil, fmt.Errorf("%s (API): %w", s.name, err)
		}
		raw, err := Measure(d, s.raw)
		if err != nil {
			return nil, fmt.Errorf("%s (raw): %w", s.name, err)
		}
		results = append(results, Result{Name: s.name, API: api, Raw: raw, Note: s.note})
	}
	create, err := e.runCreate(d)
	if err != nil {
		return nil, err
	}
	return append(results, create), nil
}

// runCreate compares POST /accounts with a single-row INSERT in its own transaction.
func (e *Env) runCreate(d time.Duration) (Result, error) {
	st := e.App.Store
	acc := e.App.Registry.System().Entity("account")
	now := st.D.Encode(&metadata.Attribute{Type: metadata.TypeDateTime}, time.Now())
	rev := acc.Attr("revenue")
	api, err := Measure(d, func(i int) error {
		return e.post("accounts", fmt.Sprintf(`{"name":"Bench create %d","account_number":"BA-%d-%d","city":"Hangzhou","industry":"retail","revenue":1000.5}`,
			i, time.Now().UnixNano(), i))
	})
	if err != nil {
		return Result{}, fmt.Errorf("create (API): %w", err)
	}
	ph := st.D.Placeholder
	q := `INSERT INTO "account" ("tenant_id", "id", "version", "created_at", "modified_at", "name", "account_number", "city", "industry", "revenue", "revenue_currency") VALUES (` +
		strings.Join([]string{ph(1), ph(2), ph(3), ph(4), ph(5), ph(6), ph(7), ph(8), ph(9), ph(10), ph(11)}, ", ") + `)`
	raw, err := Measure(d, func(i int) error {
		_, err := st.Raw().Exec(q, e.Tenant.ID, uuid.Must(uuid.NewV7()).String(), 1, now, now, fmt.Sprintf("Raw create %d", i),
			fmt.Sprintf("RA-%d-%d", time.Now().UnixNano(), i), "Hangzhou", "retail", st.D.Encode(rev, mustDecimal("1000.5")), "USD")
		return err
	})
	if err != nil {
		return Result{}, fmt.Errorf("create (raw): %w", err)
	}
	return Result{Name: "create", API: api, Raw: raw, Note: "the API validates, checks lookups, versions, writes the change log and the row count in one transaction; raw is a bare INSERT"}, nil
}
