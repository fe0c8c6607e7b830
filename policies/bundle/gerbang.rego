# Gerbang's decision for one exchange: data.gerbang.decision.
#
# The gateway sends one input document (docs/policy-input.md) and obeys the decision document:
#   {"allow", "status", "reason", "masking", "restore", "scan_response"}
#
# Deny by default: an exchange is allowed only when a role of the caller grants the service
# (access.rego), the declared purpose is one the service is for (purpose.rego), and no check in
# `refusal` below refuses it. Roles, services, purposes and operators live in data.json.
#
# Written in the Rego subset that both OPA and the embedded engine (regopy) evaluate the same
# way; `gerbang policy test` warns about constructs outside it.
package gerbang

default decision := {
	"allow": false,
	"status": 403,
	"reason": "policy undefined",
	"masking": {"*": "redact"},
	"restore": false,
	"scan_response": true,
}

decision := {
	"allow": allow,
	"status": status,
	"reason": reason,
	"masking": masking,
	"restore": restore,
	"scan_response": scan_response,
}

default allow := false

allow if {
	not refusal
	granted
	agency_allowed
	purpose_allowed
}

status := 200 if {
	allow
} else := 403

default reason := "no rule allows this exchange"

reason := "allowed" if allow

reason := refusal if not allow

# The first check that fails, in this order; undefined when none does. Values from the input
# appear through `text` only, and messages are built with concat: regopy 1.5.2 neither escapes
# quotes in strings that builtins make nor formats them well in sprintf.
refusal := "policy input version must be 1" if {
	not input.version == 1
} else := concat("", ["route ", text(route_name), " has no service tag"]) if {
	not service
} else := concat("", ["service ", text(service), " is not declared in the policy data"]) if {
	not service_conf
} else := concat("", ["service ", text(service), " does not serve unauthenticated callers"]) if {
	not granted
	anonymous
} else := concat("", ["roles [", concat(", ", sort([text(r) | some r in caller_roles])), "] may not use service ", text(service)]) if {
	not granted
} else := concat("", ["agency ", text(caller_agency), " may not use service ", text(service)]) if {
	not agency_allowed
} else := "no purpose declared: send an X-Purpose header or set the route's purpose" if {
	not purpose
} else := concat("", ["purpose ", text(purpose), " is not declared for service ", text(service)]) if {
	not purpose_allowed
} else := concat("", ["the request body was not scanned for personal data and service ", text(service), " is external"]) if {
	external
	not scanned
} else := concat("", ["specific personal data (", concat(", ", sort([text(t) | some t in specific_types])), ") may not be sent to external service ", text(service)]) if {
	external_specific_refused
}

route_name := object.get(input, ["route", "name"], null)

caller_agency := object.get(input, ["principal", "agency"], null)

# A value shown in a message: names made of letters, digits and _.:@/- as they are, numbers,
# booleans and null as JSON, anything else not at all.
text(x) := x if {
	is_string(x)
	regex.match("^[A-Za-z0-9_.:@/-]{1,64}$", x)
} else := json.marshal(x) if {
	is_number(x)
} else := json.marshal(x) if {
	is_boolean(x)
} else := "null" if {
	is_null(x)
} else := "(not shown)"
