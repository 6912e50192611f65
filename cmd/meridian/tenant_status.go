package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/meridian-crm/meridian/internal/app"
)

// newTenantStatus returns "tenant disable" or "tenant enable".
func newTenantStatus(use, status, short string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use + " SLUG",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				t, err := a.SetTenantStatus(ctx, args[0], status)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "tenant %s is %s\n", t.Slug, t.Status)
				return nil
			})
		},
	}
	app.AddFlags(cmd.Flags())
	return cmd
}
