# What the gateway does with personal data: the masking operator of each type ("*" is the
# fallback), whether the caller sees the response with the original values restored, and
# whether the response is scanned for personal data.
package gerbang

# data.gerbang_data.masking.default, then .external for external services, then the service's
# own `masking`, then "redact" for specific data sent to external services in "redact" mode.
masking := object.union(
	object.union(object.union(masking_default, masking_external), masking_service),
	masking_forced,
)

default masking_default := {"*": "placeholder"}

masking_default := object.union({"*": "placeholder"}, data.gerbang_data.masking.default)

default masking_external := {}

masking_external := data.gerbang_data.masking.external if external

default masking_service := {}

masking_service := service_conf.masking

default masking_forced := {}

masking_forced := {t: "redact" | some t in specific_types} if {
	external
	data.gerbang_data.external_specific_data == "redact"
}

# Restored responses only for allowed exchanges, a role with `restore: true`, and a service that
# does not forbid it (`restore: false`).
default restore := false

restore if {
	allow
	some role in caller_roles
	data.gerbang_data.roles[role].restore == true
	not service_conf.restore == false
}

# Responses are scanned unless an internal service opts out (`scan_response: false`).
default scan_response := true

scan_response := false if {
	service_conf.scan_response == false
	not external
}
