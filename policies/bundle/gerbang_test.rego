# Tests of the decision document (gerbang.rego). Run: gerbang policy test, or opa test -b DIR.
#
# Tests set the input field by field (`with input.principal as ...`), never `with input as X`,
# and never `with ... as <rule>`: regopy 1.5.2 crashes or goes undefined on those. `decide`
# below does it for a whole input document.
package gerbang_test

import data.gerbang

# The decision for the input document `x` (all five top-level fields required).
decide(x) := d if {
	d := gerbang.decision with input.version as x.version
		with input.principal as x.principal
		with input.route as x.route
		with input.request as x.request
		with input.pii as x.pii
}

# An input document for `roles` calling `service` for `purpose` (docs/policy-input.md).
exchange(roles, service, purpose) := {
	"version": 1,
	"principal": {
		"issuer": "https://sso.example.go.id/realms/layanan",
		"subject": "user-0001",
		"client_id": "portal",
		"roles": roles,
		"groups": [],
		"scopes": ["openid"],
		"agency": "dukcapil",
		"authenticated_by": "jwt",
	},
	"route": {"name": "route-under-test", "tags": {"service": service}},
	"request": {
		"method": "POST",
		"path": "/v1/chat/completions",
		"purpose": purpose,
		"client_address": "127.0.0.1",
		"time": "2026-11-28T03:00:00Z",
	},
	"pii": {"request": {"total": 0, "categories": [], "types": {}}},
}

# `x` with some fields replaced. object.union merges nested objects in OPA but replaces them in
# regopy 1.5.2, so these rebuild each level they change.
with_principal(x, fields) := object.union(x, {"principal": object.union(x.principal, fields)})

with_tags(x, tags) := object.union(x, {"route": object.union(x.route, {"tags": object.union(x.route.tags, tags)})})

# `x` with these personal-data types found in the request body.
with_pii(x, types) := object.union(x, {"pii": pii}) if {
	pii := {"request": {"total": count(types), "categories": [], "types": types}}
}

# `x` with a request body that was not scanned.
unscanned(x) := object.union(x, {"pii": pii}) if {
	pii := {"request": null}
}

citizen := exchange(["warga"], "lara", "layanan_informasi")

test_citizen_may_ask_lara if {
	d := decide(citizen)
	d.allow == true
	d.status == 200
	d.reason == "allowed"
}

test_decision_has_exactly_the_six_keys if {
	d := decide(citizen)
	object.keys(d) == {"allow", "status", "reason", "masking", "restore", "scan_response"}
}

test_no_input_is_refused if {
	d := gerbang.decision
	d.allow == false
	d.status == 403
	d.reason == "policy input version must be 1"
}

test_other_input_version_is_refused if {
	d := decide(object.union(citizen, {"version": 2}))
	d.allow == false
	d.reason == "policy input version must be 1"
}

test_route_without_service_tag_is_refused if {
	d := decide(with_tags(citizen, {"service": null}))
	d.allow == false
	d.status == 403
	d.reason == "service null is not declared in the policy data"
	d2 := gerbang.decision with input.version as 1 with input.route as {"name": "x", "tags": {}}
	d2.reason == "route x has no service tag"
}

test_undeclared_service_is_refused if {
	d := decide(exchange(["warga"], "unknown-svc", "layanan_informasi"))
	d.allow == false
	d.reason == "service unknown-svc is not declared in the policy data"
}

test_refusal_never_restores if {
	d := decide(exchange(["warga"], "ocr-dokumen", "digitalisasi_dokumen"))
	d.allow == false
	d.restore == false
	d.scan_response == true
}
