// Out-of-line anchor for the error hierarchy's vtables, so every library that
// catches pure::Error agrees on one type_info.
#include <pure/core/error.hpp>
