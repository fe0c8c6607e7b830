# Tests of masking operators, restored responses and response scanning (masking.rego).
package gerbang_test

test_default_operators if {
	d := decide(citizen)
	d.masking == {"*": "placeholder", "HEALTH": "redact", "CRIMINAL_RECORD": "redact", "CREDIT_CARD": "redact"}
}

test_external_services_add_their_operators if {
	d := decide(exchange(["petugas_layanan"], "ocr-dokumen", "digitalisasi_dokumen"))
	d.masking.DATE_OF_BIRTH == "redact"
	d.masking.RELIGION == "redact"
	d.masking["*"] == "placeholder"
}

test_service_operators_come_last if {
	d := decide(exchange(["analis"], "llm-eksternal", "analisis_kebijakan"))
	d.masking.ADDRESS == "redact"
	d.masking.PERSON == "placeholder"
	d.masking.DATE_OF_BIRTH == "redact"
}

test_fallback_operator_without_masking_data if {
	d := decide(citizen) with data.gerbang_data.masking as {}
	d.masking == {"*": "placeholder"}
}

test_restore_is_a_right_of_the_role if {
	decide(citizen).restore
	d := decide(exchange(["analis"], "llm-eksternal", "analisis_kebijakan"))
	d.allow == true
	d.restore == false
}

test_service_may_forbid_restore if {
	d := decide(exchange(["petugas_layanan"], "ocr-dokumen", "digitalisasi_dokumen"))
	d.allow == true
	d.restore == false
}

test_internal_service_may_skip_response_scanning if {
	d := decide(exchange(["verifikator"], "verifikasi-dokumen", "verifikasi_identitas"))
	d.allow == true
	d.scan_response == false
}

test_external_service_responses_are_always_scanned if {
	services := {"ocr-dokumen": {"purposes": ["digitalisasi_dokumen"], "external": true, "scan_response": false}}
	d := decide(exchange(["petugas_layanan"], "ocr-dokumen", "digitalisasi_dokumen")) with data.gerbang_data.services as services
	d.allow == true
	d.scan_response == true
}
