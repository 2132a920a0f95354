// nascent/platform/mps2_an386/startup.cpp - start-up code for a Cortex-M4F without an operating
// system (QEMU board mps2-an386), compiled into every firmware by nascent_add_firmware.
//
// At reset the core loads the stack pointer and the program counter from the first two words
// of the vector table below, which the linker script (linker.ld) places at address 0.
// Reset_Handler then
//   1. enables the FPU (full access for CP10 and CP11), before any floating-point instruction;
//   2. copies .data from flash to RAM and zeroes .bss;
//   3. runs the constructors (.preinit_array, then .init_array);
//   4. calls main() and ends the program with its return value through semihosting.
// Faults print a line through semihosting and end the program with exit code 128 + the
// exception number, so that a crash in QEMU fails fast instead of hanging.
//
// The program never returns from main to the start-up code, so static destructors are never
// registered: __cxa_atexit is a stub, which also keeps newlib's exit machinery (and its heap)
// out of the image.
#include <cstdint>
#include <cstring>

#include "nascent/platform/semihosting.hpp"

int main();

extern "C" {
// Defined by the linker script.
extern std::uint32_t __data_load__[];
extern std::uint32_t __data_start__[];
extern std::uint32_t __data_end__[];
extern std::uint32_t __bss_start__[];
extern std::uint32_t __bss_end__[];
extern std::uint32_t __stack_top__[];
extern void (*__preinit_array_start[])();
extern void (*__preinit_array_end[])();
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();

[[noreturn]] void Reset_Handler();
[[noreturn]] void nascent_fault_handler();

// A library that ends the program (abort, exit) reaches _exit: end QEMU with that code.
[[noreturn]] void _exit(int code) { nascent::firmware::semihosting::exit(code); }

void* __dso_handle = nullptr;
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
void __cxa_pure_virtual() { nascent_fault_handler(); }
}

namespace {

using handler = void (*)();

// The first 16 entries of the Armv7-M vector table: the initial stack pointer, then the
// system exceptions. No external interrupt is enabled, so none has an entry.
struct vector_table {
  const void* initial_stack_pointer;
  handler entries[15];
};

[[gnu::section(".vectors"), gnu::used]] const vector_table vectors = {
    __stack_top__,
    {
        Reset_Handler,          // 1  reset
        nascent_fault_handler,  // 2  NMI
        nascent_fault_handler,  // 3  hard fault
        nascent_fault_handler,  // 4  memory management fault
        nascent_fault_handler,  // 5  bus fault
        nascent_fault_handler,  // 6  usage fault
        nullptr, nullptr, nullptr, nullptr,
        nascent_fault_handler,  // 11 SVCall
        nascent_fault_handler,  // 12 debug monitor
        nullptr,
        nascent_fault_handler,  // 14 PendSV
        nascent_fault_handler,  // 15 SysTick
    },
};

void run(void (**first)(), void (**last)()) {
  for (; first != last; ++first) (*first)();
}

}  // namespace

extern "C" [[noreturn]] void Reset_Handler() {
  volatile std::uint32_t& cpacr = *reinterpret_cast<volatile std::uint32_t*>(0xE000ED88u);
  cpacr = cpacr | (0xFu << 20);  // CP10 and CP11: full access
  asm volatile("dsb\n\tisb" ::: "memory");

  const auto data_bytes = static_cast<std::size_t>(reinterpret_cast<char*>(__data_end__) -
                                                   reinterpret_cast<char*>(__data_start__));
  std::memcpy(__data_start__, __data_load__, data_bytes);
  const auto bss_bytes = static_cast<std::size_t>(reinterpret_cast<char*>(__bss_end__) -
                                                  reinterpret_cast<char*>(__bss_start__));
  std::memset(__bss_start__, 0, bss_bytes);

  run(__preinit_array_start, __preinit_array_end);
  run(__init_array_start, __init_array_end);

  nascent::firmware::semihosting::exit(main());
}

extern "C" [[noreturn]] void nascent_fault_handler() {
  std::uint32_t ipsr;
  asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  const std::uint32_t exception = ipsr & 0x1FFu;
  nascent::firmware::semihosting::console out;
  out.text("nascent firmware: exception ").dec(exception).text(" (3 = hard fault)").line();
  nascent::firmware::semihosting::exit(static_cast<int>(128 + (exception & 0x7Fu)));
}
