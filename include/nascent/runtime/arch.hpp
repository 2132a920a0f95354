// nascent/runtime/arch.hpp - which instruction paths the runtime kernels compile.
//
// One place decides; every kernel header tests these macros (0 or 1/2):
//   NASCENT_RUNTIME_ARM_DSP  Arm's DSP extension (Cortex-M4/M7/M33: SXTB16, SMLAD, SSUB8, SEL), *_cortex_m_dsp.hpp
//   NASCENT_RUNTIME_X86      2 with AVX2, 1 with SSE2 only, 0 elsewhere (never with the DSP path), *_x86.hpp
//   NASCENT_RUNTIME_VECTOR   GCC vector types of 8 lanes (hosts with SSE2 or NEON), *_simd.hpp
// Elsewhere the scalar loops of the op's own header run.
#pragma once

#if defined(__GNUC__) && (defined(__SSE2__) || defined(__ARM_NEON))
#define NASCENT_RUNTIME_VECTOR 1
#else
#define NASCENT_RUNTIME_VECTOR 0
#endif

#if defined(__GNUC__) && defined(__ARM_FEATURE_SIMD32) && defined(__ARM_FEATURE_UNALIGNED)
#define NASCENT_RUNTIME_ARM_DSP 1
#else
#define NASCENT_RUNTIME_ARM_DSP 0
#endif

#if !NASCENT_RUNTIME_ARM_DSP && defined(__GNUC__) && defined(__AVX2__)
#define NASCENT_RUNTIME_X86 2
#elif !NASCENT_RUNTIME_ARM_DSP && defined(__GNUC__) && defined(__SSE2__)
#define NASCENT_RUNTIME_X86 1
#else
#define NASCENT_RUNTIME_X86 0
#endif
