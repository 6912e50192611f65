package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// asTenant runs fn as the server acting in the --tenant tenant (the CLI is the operator).
func asTenant(cmd *cobra.Command, fn func(ctx context.Context, a *app.App, t *tenant.Tenant) error) error {
	return withApp(cmd, func(ctx context.Context, a *app.App) error {
		t, err := tenant.BySlug(ctx, a.Store, a.Config.Tenant)
		if err != nil {
			return err
		}
		return fn(principal.With(ctx, principal.System(t.ID)), a, t)
	})
}

// principalID resolves a user's email, or a team's or user's id, to an id.
func principalID(ctx context.Context, a *app.App, who string) (string, error) {
	if strings.Contains(who, "@") {
		id, err := a.Records.IDByKey(ctx, "user", map[string]string{"email": strings.ToLower(who)})
		if err != nil {
			return "", fmt.Errorf("user %s: %w", who, err)
		}
		return id, nil
	}
	return who, nil
}

func newRole() *cobra.Command {
	role := &cobra.Command{Use: "role", Short: "Manage security roles: privileges per entity at a depth, held by users and teams"}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the tenant's roles with their privileges",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return asTenant(cmd, func(ctx context.Context, a *app.App, _ *tenant.Tenant) error {
				roles, err := a.Access.Roles(ctx)
				if err != nil {
					return err
				}
				w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "NAME\tADMIN\tPRIVILEGES\tID")
				for _, r := range roles {
					var ps []string
					for _, g := range r.Privileges {
						ps = append(ps, g.Entity+":"+g.Privilege+":"+g.Depth)
					}
					fmt.Fprintf(w, "%s\t%v\t%s\t%s\n", r.Name, r.Admin, strings.Join(ps, " "), r.ID)
				}
				return w.Flush()
			})
		},
	}
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a role; --grant ENTITY:PRIVILEGE:DEPTH (repeatable; entity * for all)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return asTenant(cmd, func(ctx context.Context, a *app.App, _ *tenant.Tenant) error {
				grants, err := parseGrants(cmd)
				if err != nil {
					return err
				}
				admin, _ := cmd.Flags().GetBool("admin")
				desc, _ := cmd.Flags().GetString("description")
				r, err := a.Access.CreateRoleWith(ctx, args[0], desc, admin, grants)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "created role %s (%s) with %d privileges\n", r.Name, r.ID, len(r.Privileges))
				return nil
			})
		},
	}
	create.Flags().StringArray("grant", nil, "privilege as ENTITY:PRIVILEGE:DEPTH, e.g. account:read:business_unit")
	create.Flags().Bool("admin", false, "the role administers the tenant (every privilege)")
	create.Flags().String("description", "", "description")
	assign := roleHolderCommand("assign", "Give a user or team a role", "%s now holds %s\n",
		func(ctx context.Context, acc *access.Service, role, who string) error {
			return acc.AssignRole(ctx, role, who)
		})
	unassign := roleHolderCommand("unassign", "Take a role from a user or team", "%s no longer holds %s\n",
		func(ctx context.Context, acc *access.Service, role, who string) error {
			return acc.RemoveRole(ctx, role, who)
		})
	for _, c := range []*cobra.Command{list, create, assign, unassign} {
		app.AddFlags(c.Flags())
	}
	role.AddCommand(list, create, assign, unassign)
	return role
}

// roleHolderCommand returns "role assign" or "role unassign": act on the role named by the first
// argument and the user (email) or team (id) named by the second.
func roleHolderCommand(use, short, done string, act func(ctx context.Context, acc *access.Service, role, who string) error) *cobra.Command {
	return &cobra.Command{
		Use:   use + " ROLE USER-EMAIL|TEAM-ID",
		Short: short,
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return asTenant(cmd, func(ctx context.Context, a *app.App, t *tenant.Tenant) error {
				r, err := a.Access.RoleByName(ctx, t.ID, args[0])
				if err != nil {
					return err
				}
				who, err := principalID(ctx, a, args[1])
				if err != nil {
					return err
				}
				if err := act(ctx, a.Access, r.ID, who); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), done, args[1], r.Name)
				return nil
			})
		},
	}
}

func parseGrants(cmd *cobra.Command) ([]access.Grant, error) {
	raw, _ := cmd.Flags().GetStringArray("grant")
	var out []access.Grant
	for _, g := range raw {
		parts := strings.Split(g, ":")
		if len(parts) != 3 {
			return nil, fmt.Errorf("--grant %q: want ENTITY:PRIVILEGE:DEPTH", g)
		}
		out = append(out, access.Grant{Entity: parts[0], Privilege: parts[1], Depth: parts[2]})
	}
	return out, nil
}

func newShare() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "share ENTITY RECORD-ID USER-EMAIL|TEAM-ID",
		Short: "Share a record with a user or team (--rights read,write … --expires 72h)",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return asTenant(cmd, func(ctx context.Context, a *app.App, _ *tenant.Tenant) error {
				who, err := principalID(ctx, a, args[2])
				if err != nil {
					return err
				}
				names, _ := cmd.Flags().GetStringSlice("rights")
				rights, err := records.ParseRights(names)
				if err != nil {
					return err
				}
				var until *time.Time
				if d, _ := cmd.Flags().GetDuration("expires"); d > 0 {
					t := time.Now().Add(d)
					until = &t
				}
				if err := a.Records.ShareRecord(ctx, args[0], args[1], who, rights, until); err != nil {
					return err
				}
				msg := fmt.Sprintf("shared %s %s with %s (%s)", args[0], args[1], args[2], strings.Join(rights.Names(), ", "))
				if until != nil {
					msg += " until " + until.UTC().Format(time.RFC3339)
				}
				fmt.Fprintln(cmd.OutOrStdout(), msg)
				return nil
			})
		},
	}
	app.AddFlags(cmd.Flags())
	cmd.Flags().StringSlice("rights", []string{"read"}, "rights: read, write, delete, append, append_to, assign, share")
	cmd.Flags().Duration("expires", 0, "the share ends after this long (default: until revoked)")
	return cmd
}

// byName returns the id of the one record of entity whose name is name.
func byName(ctx context.Context, a *app.App, entity, name string) (string, error) {
	o, err := query.ParseOptions("$select=id&$top=2&$filter=name eq '" + strings.ReplaceAll(name, "'", "''") + "'")
	if err != nil {
		return "", err
	}
	p, err := a.Records.List(ctx, entity, o, records.ReadOptions{})
	if err != nil {
		return "", err
	}
	switch len(p.Records) {
	case 0:
		return "", fmt.Errorf("no %s named %q", entity, name)
	case 1:
		return p.Records[0].ID(), nil
	}
	return "", fmt.Errorf("several %s records are named %q: use the id", entity, name)
}

func newUnit() *cobra.Command {
	unit := &cobra.Command{Use: "unit", Short: "Manage business units (a tree under the tenant's root unit)"}
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a business unit under --parent (default: the root unit)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return asTenant(cmd, func(ctx context.Context, a *app.App, t *tenant.Tenant) error {
				_, parent, err := a.Access.EnsureDefaults(ctx, a.Records, t.ID, t.Name)
				if err != nil {
					return err
				}
				if name, _ := cmd.Flags().GetString("parent"); name != "" {
					if parent, err = byName(ctx, a, "business_unit", name); err != nil {
						return err
					}
				}
				rec, err := a.Records.Create(ctx, "business_unit", records.Input{"name": args[0], "parent_business_unit_id": parent})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "created business unit %s (%s)\n", args[0], rec.ID())
				return nil
			})
		},
	}
	create.Flags().String("parent", "", "name of the parent unit")
	move := &cobra.Command{
		Use:   "move USER-EMAIL UNIT",
		Short: "Move a user into a business unit",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return asTenant(cmd, func(ctx context.Context, a *app.App, _ *tenant.Tenant) error {
				user, err := principalID(ctx, a, args[0])
				if err != nil {
					return err
				}
				unit, err := byName(ctx, a, "business_unit", args[1])
				if err != nil {
					return err
				}
				if _, err := a.Records.Update(ctx, "user", user, records.Input{"business_unit_id": unit}, ""); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s is in %s\n", args[0], args[1])
				return nil
			})
		},
	}
	for _, c := range []*cobra.Command{create, move} {
		app.AddFlags(c.Flags())
	}
	unit.AddCommand(create, move)
	return unit
}

func newTeam() *cobra.Command {
	team := &cobra.Command{Use: "team", Short: "Manage teams and their members"}
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Create an owner team (or --type access) in --unit (default: the root unit)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return asTenant(cmd, func(ctx context.Context, a *app.App, t *tenant.Tenant) error {
				_, unit, err := a.Access.EnsureDefaults(ctx, a.Records, t.ID, t.Name)
				if err != nil {
					return err
				}
				if name, _ := cmd.Flags().GetString("unit"); name != "" {
					if unit, err = byName(ctx, a, "business_unit", name); err != nil {
						return err
					}
				}
				typ, _ := cmd.Flags().GetString("type")
				rec, err := a.Records.Create(ctx, "team", records.Input{"name": args[0], "team_type": typ, "business_unit_id": unit})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "created %s team %s (%s)\n", typ, args[0], rec.ID())
				return nil
			})
		},
	}
	create.Flags().String("unit", "", "name of the team's business unit")
	create.Flags().String("type", "owner", "owner (can own records and hold roles) or access")
	add := &cobra.Command{
		Use:   "add TEAM USER-EMAIL",
		Short: "Add a user to a team",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return asTenant(cmd, func(ctx context.Context, a *app.App, _ *tenant.Tenant) error {
				teamID, err := byName(ctx, a, "team", args[0])
				if err != nil {
					return err
				}
				user, err := principalID(ctx, a, args[1])
				if err != nil {
					return err
				}
				if err := a.Records.Associate(ctx, "team", teamID, "members", user); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s is in team %s\n", args[1], args[0])
				return nil
			})
		},
	}
	for _, c := range []*cobra.Command{create, add} {
		app.AddFlags(c.Flags())
	}
	team.AddCommand(create, add)
	return team
}
