# Tests of the rule on specific personal data and external services (specific_data.rego).
package gerbang_test

health := {"HEALTH": {"count": 1, "category": "spesifik"}}

nik := {"ID_NIK": {"count": 2, "category": "umum"}}

summarise := exchange(["petugas_layanan"], "llm-eksternal", "ringkasan_dokumen")

test_specific_data_to_external_service_is_refused if {
	d := decide(with_pii(summarise, object.union(health, nik)))
	d.allow == false
	d.status == 403
	d.reason == "specific personal data (HEALTH) may not be sent to external service llm-eksternal"
}

test_general_data_to_external_service_is_allowed if {
	decide(with_pii(summarise, nik)).allow
}

test_specific_data_to_internal_service_is_allowed if {
	decide(with_pii(citizen, health)).allow
}

test_unknown_category_counts_as_specific if {
	not decide(with_pii(summarise, {"NEW_TYPE": {"count": 1}})).allow
}

test_listed_type_is_specific_whatever_its_category if {
	d := decide(with_pii(summarise, {"ID_BPJS": {"count": 1, "category": "umum"}}))
	d.reason == "specific personal data (ID_BPJS) may not be sent to external service llm-eksternal"
}

test_every_personal_datum_on_a_route_about_children_is_specific if {
	x := with_tags(summarise, {"data_subjects": "children"})
	not decide(with_pii(x, nik)).allow
	decide(x).allow
}

test_route_tag_external_makes_a_service_external if {
	x := with_tags(citizen, {"external": true})
	not decide(with_pii(x, health)).allow
}

test_location_outside_indonesia_counts_as_external if {
	foreign := with_tags(citizen, {"location": "sg"})
	not decide(with_pii(foreign, health)).allow
	domestic := with_tags(citizen, {"location": "id"})
	decide(with_pii(domestic, health)).allow
}

test_unscanned_body_to_external_service_is_refused if {
	d := decide(unscanned(summarise))
	d.allow == false
	d.reason == "the request body was not scanned for personal data and service llm-eksternal is external"
}

test_unscanned_body_to_internal_service_is_allowed if {
	decide(unscanned(citizen)).allow
}

test_redact_mode_removes_specific_data_instead_of_refusing if {
	d := decide(with_pii(summarise, object.union(health, nik))) with data.gerbang_data.external_specific_data as "redact"
	d.allow == true
	d.masking.HEALTH == "redact"
	not "ID_NIK" in object.keys(d.masking)
}
