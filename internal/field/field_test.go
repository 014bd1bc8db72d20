package field_test

import (
	"errors"
	"fmt"

	"github.com/cnisim/cnisim/internal/field"
)

func ExampleErrorf() {
	err := fmt.Errorf("route: %w", field.Errorf("network.Config.MTU", 100, "must be in [%d, %d]", 576, 65535))
	fmt.Println(err)
	var fe *field.Error
	if errors.As(err, &fe) {
		fmt.Println(fe.Field, fe.Value)
	}
	// Output:
	// route: network.Config.MTU = 100: must be in [576, 65535]
	// network.Config.MTU 100
}
