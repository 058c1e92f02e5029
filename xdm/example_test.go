package xdm_test

import (
	"fmt"

	"github.com/ciosim/ciosim/xdm"
)

// ExampleMapper_Map maps Adobe's Customer.io sample event with a small mapping set.
func ExampleMapper_Map() {
	ms, err := xdm.ParseMappingSet([]byte(`{"mappings":[
	  {"sourceType":"ATTRIBUTE","source":"event_id","destination":"_id"},
	  {"sourceType":"EXPRESSION","source":"dformat(timestamp * 1000, \"yyyy-MM-dd'T'HH:mm:ssXXX\")","destination":"timestamp"},
	  {"sourceType":"EXPRESSION","source":"lower(data.identifiers.email)","destination":"identityMap.Email[0].id"},
	  {"sourceType":"EXPRESSION","source":"to_integer(data.customer_id) * 2","destination":"_acme.double"},
	  {"sourceType":"STATIC","source":"CUSTOMER","destination":"_acme.userType"}]}`))
	if err != nil {
		panic(err)
	}
	mp, err := xdm.Compile(ms, xdm.Options{Required: []string{"_id", "timestamp"}, SourceFields: xdm.CustomerIOFields()})
	if err != nil {
		panic(err)
	}
	res, err := mp.Map([]byte(`{"event_id":"01E4C4CT6YDC7Y5M7FE1GWWPQJ","object_type":"customer","metric":"subscribed","timestamp":1613063089,
	  "data":{"customer_id":"42","email_address":"test@example.com","identifiers":{"id":"42","email":"Test@Example.com","cio_id":"d9c106000001"}}}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(res.Record))
	fmt.Println(res.Rejected, res.Warnings)
	// Output:
	// {"_acme":{"double":84,"userType":"CUSTOMER"},"_id":"01E4C4CT6YDC7Y5M7FE1GWWPQJ","identityMap":{"Email":[{"id":"test@example.com"}]},"timestamp":"2021-02-11T17:04:49Z"}
	// false []
}
