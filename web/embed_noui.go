//go:build noui

// Package web serves Meridian's web client. This build (tag noui) leaves the client out: Handler
// returns nil and the server answers only its API.
package web

import "net/http"

// Handler returns nil: the server was built without the web client.
func Handler() http.Handler { return nil }
