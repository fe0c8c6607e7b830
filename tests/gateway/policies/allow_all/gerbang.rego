# For tests of plain proxying only: every exchange is allowed, nothing restored or rescanned.
package gerbang

decision := {
	"allow": true,
	"status": 200,
	"reason": "plain proxy tests",
	"masking": {"*": "placeholder"},
	"restore": false,
	"scan_response": false,
}
