// The smallest nascent firmware: start-up code and semihosting output, nothing else. Its size is
// the fixed cost every firmware pays before any application code (docs/firmware.md).
#include "nascent/platform/semihosting.hpp"

int main() {
  nascent::firmware::semihosting::console out;
  out.text("bare: start-up and semihosting").line();
  return 0;
}
