// nascent/platform/semihosting.hpp - console output and exit code of a Cortex-M program through
// Arm semihosting: the debugger (QEMU with `-semihosting`, or a debug probe) does the I/O.
//
//     namespace semihosting = nascent::firmware::semihosting;
//     semihosting::console out;
//     out.text("crc32 ").hex(crc).line();   // SYS_WRITE0, one per line (QEMU: its stderr)
//     semihosting::exit(0);                 // SYS_EXIT_EXTENDED: QEMU exits with this code
//
// No heap, no printf: a line collects in a fixed buffer. Arm only (inline `bkpt 0xAB`); without
// a debugger attached `bkpt` stops the core.
#pragma once
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace nascent::firmware::semihosting {

enum class operation : std::uint32_t { write0 = 0x04, exit_extended = 0x20 };

// One semihosting request; returns the host's answer (r0).
inline std::uint32_t call(operation op, const void* argument) {
  register std::uint32_t r0 asm("r0") = static_cast<std::uint32_t>(op);
  register const void* r1 asm("r1") = argument;
  asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

// Writes a NUL-terminated string as it is.
inline void write0(const char* text) { call(operation::write0, text); }

// Ends the program; QEMU exits with `code` (0 to 255).
[[noreturn]] inline void exit(int code) {
  constexpr std::uint32_t application_exit = 0x20026;  // ADP_Stopped_ApplicationExit
  const std::uint32_t block[2] = {application_exit, static_cast<std::uint32_t>(code)};
  call(operation::exit_extended, block);
  for (;;) {
  }
}

// Line-buffered text output. Contract: at most `capacity - 1` characters are held; a full
// buffer is written out before more is added, so lines of any length arrive intact.
class console {
 public:
  static constexpr std::size_t capacity = 128;

  console& text(const char* s) {
    while (*s != '\0') put(*s++);
    return *this;
  }
  console& character(char c) {
    put(c);
    return *this;
  }
  // Any integer of at most 32 bits, in decimal.
  template <std::integral T>
    requires(sizeof(T) <= 4)
  console& dec(T value) {
    if constexpr (std::is_signed_v<T>) {
      if (value < 0) {
        put('-');
        return dec_magnitude(0u - static_cast<std::uint32_t>(value));
      }
    }
    return dec_magnitude(static_cast<std::uint32_t>(value));
  }
  // `digits` hexadecimal digits (1 to 8), lowercase, with a leading "0x".
  console& hex(std::uint32_t value, int digits = 8) {
    put('0');
    put('x');
    for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) put("0123456789abcdef"[(value >> shift) & 0xFu]);
    return *this;
  }
  // Ends the line and writes it out.
  console& line() {
    put('\n');
    flush();
    return *this;
  }
  void flush() {
    if (size_ == 0) return;
    buffer_[size_] = '\0';
    write0(buffer_);
    size_ = 0;
  }

 private:
  console& dec_magnitude(std::uint32_t value) {
    char digits[10];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value != 0);
    while (n > 0) put(digits[--n]);
    return *this;
  }
  void put(char c) {
    if (size_ + 1 == capacity) flush();
    buffer_[size_++] = c;
  }

  char buffer_[capacity] = {};
  std::size_t size_ = 0;
};

}  // namespace nascent::firmware::semihosting
