# Tests of purpose limitation (purpose.rego).
package gerbang_test

test_declared_purpose_is_allowed if {
	decide(exchange(["warga"], "lara", "pengaduan")).allow
}

test_missing_purpose_is_refused if {
	d := decide(exchange(["warga"], "lara", null))
	d.allow == false
	d.reason == "no purpose declared: send an X-Purpose header or set the route's purpose"
}

test_undeclared_purpose_is_refused if {
	d := decide(exchange(["warga"], "lara", "pemasaran"))
	d.allow == false
	d.status == 403
	d.reason == "purpose pemasaran is not declared for service lara"
}

test_purpose_of_another_service_is_refused if {
	not decide(exchange(["petugas_layanan"], "lara", "digitalisasi_dokumen")).allow
}

test_purposes_come_from_data if {
	services := {"lara": {"purposes": ["pemasaran"]}}
	decide(exchange(["warga"], "lara", "pemasaran")).allow with data.gerbang_data.services as services
}
