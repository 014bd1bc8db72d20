package calibration_test

import (
	"fmt"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/models/datapath"
)

// The most specific matching entry wins; an override replaces every entry
// of a kind.
func ExampleProfile_Cost() {
	p, err := calibration.LoadFile("testdata/specific.toml")
	if err != nil {
		panic(err)
	}
	c, _, _ := p.Cost(datapath.Netfilter, "calico", "ipip", datapath.Inter)
	fmt.Println("calico/ipip/inter:", c)
	c, _, _ = p.Cost(datapath.Netfilter, "flannel", "vxlan", datapath.Intra)
	fmt.Println("flannel/vxlan/intra:", c)
	_ = p.Override("netfilter", 900)
	c, _, _ = p.Cost(datapath.Netfilter, "calico", "ipip", datapath.Inter)
	fmt.Println("after override:", c)
	// Output:
	// calico/ipip/inter: 6
	// flannel/vxlan/intra: 1
	// after override: 900
}
