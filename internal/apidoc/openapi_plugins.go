package apidoc

// addPluginPaths documents the list of the web client's plugins (docs/plugins.md).
func addPluginPaths(paths object) {
	paths["/plugins"] = object{"get": operation{
		id: "listPlugins", tag: tagService, summary: "The web client's plugins",
		description: "The enabled plugins of the server's plugins folder (MERIDIAN_PLUGINS_DIR), in name order: " +
			"the web client imports each entry module after sign-in. Plugins with an invalid manifest are left out " +
			"(and reported in the server's log). Without a plugins folder the list is empty.",
		ok:     object{"200": response("The plugins.", listOf("Plugin"))},
		errors: []int{401, 429},
	}.build()}
}

// pluginSchemas are the schemas of the plugin list.
func pluginSchemas() object {
	return object{
		"Plugin": objectSchema(object{
			"name":        object{"type": "string", "description": "The plugin's folder and manifest name."},
			"version":     stringSchema,
			"description": stringSchema,
			"entry":       object{"type": "string", "description": "URL of the ES module on this server: /plugins/<name>/<file>."},
		}, "name", "version", "description", "entry"),
	}
}
