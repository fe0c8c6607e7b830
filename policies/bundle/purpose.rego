# Purpose limitation (UU 27/2022 Pasal 16): every exchange names its purpose (the X-Purpose
# header or the route's default) and the service must be declared for it.
package gerbang

purpose := input.request.purpose if is_string(input.request.purpose)

purpose_allowed if purpose in service_conf.purposes
