// A firmware that breaks the deploy rule on purpose: it allocates with malloc and new and writes
// with std::cout. Its symbol check must fail (tests/firmware: firmware_symbols_reject_forbidden),
// which shows that the check of the real firmware would see such symbols. Linked with newlib's
// nosys stubs for the system calls these reach; _sbrk hands out a static arena.
#include <cstddef>
#include <cstdlib>
#include <iostream>
#include <new>

extern "C" void* _sbrk(std::ptrdiff_t increment) {
  alignas(8) static char arena[64 * 1024];
  static std::size_t used = 0;
  if (increment < 0 || used + static_cast<std::size_t>(increment) > sizeof arena) return reinterpret_cast<void*>(-1);
  void* block = arena + used;
  used += static_cast<std::size_t>(increment);
  return block;
}

int main() {
  void* volatile block = std::malloc(64);
  int* volatile number = new int(42);
  const bool ok = block != nullptr && *number == 42;
  delete number;
  std::free(block);
  std::cout << "forbidden probe: " << (ok ? "allocated" : "allocation failed") << '\n';
  return ok ? 0 : 1;
}
