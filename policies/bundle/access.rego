# Who may use which service: roles grant services (data.gerbang_data.roles[role].services),
# services may be limited to agencies (data.gerbang_data.services[service].agencies).
package gerbang

# The service a route belongs to: its `service` tag.
service := input.route.tags.service

service_conf := data.gerbang_data.services[service]

# A caller on a public route (principal null) holds only the anonymous role.
anonymous if input.principal == null

default caller_roles := set()

caller_roles := {r | some r in input.principal.roles} if is_object(input.principal)

caller_roles := {data.gerbang_data.anonymous_role} if anonymous

granted if {
	some role in caller_roles
	service in data.gerbang_data.roles[role].services
}

# Services without an `agencies` list serve every agency.
agency_allowed if {
	service_conf
	not service_conf.agencies
}

agency_allowed if input.principal.agency in service_conf.agencies
