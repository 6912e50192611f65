package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/meridian-crm/meridian/internal/apidoc"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/metadata"
)

// openAPIServerURL is the server URL written into the offline document: a path relative to the
// host that serves it, so the document (and the types generated from it) names no machine.
const openAPIServerURL = "/api/v1"

// newOpenAPI returns "openapi": the OpenAPI 3.1 document of the system metadata, built without a
// database. The web client generates its API types from it (web/src/api/schema.d.ts); custom
// entities are not in it, a running server's /api/v1/openapi.json has them.
func newOpenAPI() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "openapi [--out FILE]",
		Short: "Print the OpenAPI 3.1 document of the system entities (no database needed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			doc, err := systemOpenAPI()
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err = cmd.OutOrStdout().Write(doc)
				return err
			}
			if err := os.WriteFile(out, doc, 0o644); err != nil {
				return fmt.Errorf("openapi: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write the document to FILE instead of standard output")
	return cmd
}

// systemOpenAPI renders the OpenAPI document of the metadata shipped in the binary.
func systemOpenAPI() ([]byte, error) {
	sys, err := metadata.System()
	if err != nil {
		return nil, err
	}
	doc := apidoc.OpenAPI(metadata.NewModel(sys.Entities, sys.Relationships), openAPIServerURL, app.Version)
	if len(doc) > 0 && doc[len(doc)-1] != '\n' {
		doc = append(doc, '\n')
	}
	return doc, nil
}
