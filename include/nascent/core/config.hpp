// nascent/core/config.hpp - every configuration switch of the library, in one place.
//
// NASCENT_FREESTANDING   defined by deploy builds for bare-metal targets: no heap,
//                        no exceptions, no RTTI, no iostream may be pulled in.
// NASCENT_ASSERT(cond)   internal invariant check; compiled out with NDEBUG.
#pragma once

#if defined(__cpp_exceptions) && !defined(NASCENT_FREESTANDING)
#define NASCENT_HAS_EXCEPTIONS 1
#else
#define NASCENT_HAS_EXCEPTIONS 0
#endif

#if defined(NDEBUG)
#define NASCENT_ASSERT(cond) ((void)0)
#else
#include <cassert>
#define NASCENT_ASSERT(cond) assert(cond)
#endif
