package network_test

import (
	"fmt"

	"github.com/cnisim/cnisim/models/network"
)

// Links are named as the port metrics name their two ports, either way
// round; slow and lossy links carry a value each.
func ExampleParseFabricLinks() {
	failed, _ := network.ParseFabricLinks("leaf0.spine1, spine2.leaf3")
	slow, _ := network.ParseSlowLinks("leaf1.spine0=2.5")
	lossy, _ := network.ParseLossyLinks("spine3.leaf2=0.001")
	fmt.Println(failed, slow, lossy)
	_, err := network.ParseFabricLinks("leaf0-spine1")
	fmt.Println(err)
	// Output:
	// [leaf0.spine1 leaf3.spine2] [leaf1.spine0=2.5] [leaf2.spine3=0.001]
	// link "leaf0-spine1": want leafL.spineS or spineS.leafL, such as leaf0.spine1
}
