# Tests of role-based access to services (access.rego).
package gerbang_test

test_role_grants_its_services if {
	decide(exchange(["petugas_dukcapil"], "verifikasi-dokumen", "verifikasi_identitas")).allow
	decide(exchange(["petugas_layanan"], "ocr-dokumen", "digitalisasi_dokumen")).allow
}

test_role_without_grant_is_refused if {
	d := decide(exchange(["warga"], "ocr-dokumen", "digitalisasi_dokumen"))
	d.allow == false
	d.status == 403
	d.reason == "roles [warga] may not use service ocr-dokumen"
}

test_any_role_of_several_grants if {
	decide(exchange(["analis", "warga"], "lara", "layanan_informasi")).allow
}

test_unknown_role_and_no_roles_are_refused if {
	not decide(exchange(["admin"], "lara", "layanan_informasi")).allow
	d := decide(exchange([], "lara", "layanan_informasi"))
	d.reason == "roles [] may not use service lara"
}

test_anonymous_caller_holds_the_anonymous_role if {
	decide(object.union(citizen, {"principal": null})).allow
}

test_anonymous_caller_is_refused_where_the_role_has_no_grant if {
	d := decide(object.union(exchange([], "ocr-dokumen", "digitalisasi_dokumen"), {"principal": null}))
	d.allow == false
	d.reason == "service ocr-dokumen does not serve unauthenticated callers"
}

test_missing_principal_is_refused if {
	x := citizen
	d := data.gerbang.decision with input.version as 1
		with input.route as x.route
		with input.request as x.request
		with input.pii as x.pii
	d.allow == false
	d.reason == "roles [] may not use service lara"
}

test_agency_limited_service if {
	x := exchange(["petugas_dukcapil"], "verifikasi-dokumen", "verifikasi_identitas")
	d := decide(with_principal(x, {"agency": "bpn"}))
	d.allow == false
	d.reason == "agency bpn may not use service verifikasi-dokumen"
	d2 := decide(with_principal(x, {"agency": null}))
	d2.reason == "agency null may not use service verifikasi-dokumen"
}

test_roles_come_from_data if {
	roles := {"tester": {"services": ["lara"], "restore": false}}
	decide(exchange(["tester"], "lara", "layanan_informasi")).allow with data.gerbang_data.roles as roles
	not decide(citizen).allow with data.gerbang_data.roles as roles
}
