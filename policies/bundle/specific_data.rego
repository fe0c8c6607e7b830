# Specific personal data (UU 27/2022 Pasal 4(2): health, financial, children, criminal records)
# never goes to services outside the agency (route tag `external`, the service's `external`
# flag, or a `location` tag outside data.gerbang_data.domestic_locations; PP 71/2019 Pasal 20).
package gerbang

external if input.route.tags.external == true

external if service_conf.external == true

external if {
	location := input.route.tags.location
	not location in data.gerbang_data.domestic_locations
}

# The body was scanned for personal data: pii.request is an object (null when not scanned).
scanned if is_object(input.pii.request)

pii_types := object.get(input, ["pii", "request", "types"], {})

# A type is specific unless the gateway says it is "umum" (unknown categories count as specific),
# or when data.gerbang_data.specific_types lists it.
specific_types contains t if {
	some t, summary in pii_types
	not summary.category == "umum"
}

specific_types contains t if {
	some t, _ in pii_types
	t in data.gerbang_data.specific_types
}

# Every personal datum on a route about children (tag `data_subjects`) is specific.
specific_types contains t if {
	some t, _ in pii_types
	input.route.tags.data_subjects in data.gerbang_data.specific_data_subjects
}

# "refuse" (the default) refuses the exchange; "redact" removes those values instead (masking.rego).
external_specific_refused if {
	external
	count(specific_types) > 0
	not data.gerbang_data.external_specific_data == "redact"
}
