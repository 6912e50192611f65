package principal

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/store"
)

// The directory of a tenant's principals: its users and teams, who own records, hold roles and
// are shared with. The write path asks it whether an owner or a share's principal exists; the
// records core itself names no entity.

// Kinds of principal KindOf tells apart; KindUser and KindTeam are also the principal_type that
// share and role rows keep (StoredKind).
const (
	KindUser       = "user"
	KindTeam       = "team"        // an owner team: can own records and hold roles
	KindAccessTeam = "access_team" // can be shared with, not own records or hold roles
)

// KindOf tells what id is among the tenant's users and teams: KindUser, KindTeam,
// KindAccessTeam, or "" when it is none of them (or not an id).
func KindOf(ctx context.Context, st *store.Store, tenant, id string) (string, error) {
	if _, err := uuid.Parse(id); err != nil {
		return "", nil
	}
	ph := st.D.Placeholder
	var kind string
	err := st.QueryRow(ctx, `SELECT 'user' FROM "user" WHERE "tenant_id" = `+ph(1)+` AND "id" = `+ph(2)+
		` UNION ALL SELECT CASE WHEN "team_type" = 'access' THEN 'access_team' ELSE 'team' END FROM "team" WHERE "tenant_id" = `+ph(1)+
		` AND "id" = `+ph(2), tenant, id).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return kind, err
}

// StoredKind is the principal_type a share or role row keeps for a kind (access teams are teams).
func StoredKind(kind string) string {
	if kind == KindAccessTeam {
		return KindTeam
	}
	return kind
}

// Owners returns those of ids (canonical, lower-case) that may own records in tenant: its users
// and owner teams (not access teams), in one query.
func Owners(ctx context.Context, st *store.Store, tenant string, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	args := &store.Args{D: st.D}
	t := args.Add(tenant)
	in := make([]string, len(ids))
	for i, id := range ids {
		in[i] = args.Add(id)
	}
	list := strings.Join(in, ", ")
	rows, err := st.Query(ctx, `SELECT "id" FROM "user" WHERE "tenant_id" = `+t+` AND "id" IN (`+list+`)`+
		` UNION ALL SELECT "id" FROM "team" WHERE "tenant_id" = `+t+` AND "id" IN (`+list+`) AND ("team_type" IS NULL OR "team_type" <> 'access')`, args.List...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[strings.ToLower(id)] = true
	}
	return out, rows.Err()
}
