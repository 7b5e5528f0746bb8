// Image-filter generators: separable integer (exact), separable float,
// direct float and gradient magnitude, each for uint8, uint16 and float
// interleaved images. Algorithms: generators/filter.h; schedules chosen by
// target from schedules/cpu/filter.h or schedules/cuda/filter.h.
#include "generators/filter.h"
#include "schedules/cpu/filter.h"
#include "schedules/cuda/filter.h"

namespace halconv {
namespace {

// in(fx, y) / out(fx, y): dense interleaved rows starting at (0, 0).
template<typename B>
void dense_interleaved(B &buffer) {
    buffer.dim(0).set_stride(1).set_min(0);
    buffer.dim(1).set_min(0);
}

template<typename A>
void apply_schedule(const FilterCpuSchedule &cpu, const FilterGpuSchedule &gpu, A &a, Type sample,
                    const Target &target) {
    if (target.has_gpu_feature()) {
        gpu.apply(a, sample, target);
    } else {
        cpu.apply(a, sample, target);
    }
}

// Common inputs of every filter generator.
#define HALCONV_FILTER_IMAGE_INPUTS                                                    \
    Input<Buffer<T>> input{"input", 2};          /* in(fx = x * C + c, y) */           \
    Input<int> channels{"channels", 1, 1, 1 << 20};                                    \
    Input<int> border{"border", kBorderMirror, kBorderZero, kBorderWrap}; /* Border */ \
    Output<Buffer<T>> output{"output", 2};

// Exact integer separable filter (non-negative integer taps): uint8 images
// accumulate the vertical pass in uint16 and the horizontal in uint32,
// uint16 images both in uint32; the runtime checks that no sum can
// overflow. Result: ((2 * sum + bias) * multiplier) >> shift, saturated.
template<typename T>
class FilterSeparableIntegerGenerator : public Generator<FilterSeparableIntegerGenerator<T>> {
    using Base = Generator<FilterSeparableIntegerGenerator<T>>;

public:
    template<typename U>
    using Input = typename Base::template Input<U>;
    template<typename U>
    using Output = typename Base::template Output<U>;

    HALCONV_FILTER_IMAGE_INPUTS
    Input<Buffer<uint16_t>> column{"column", 1};
    Input<Buffer<uint16_t>> row{"row", 1};
    Input<uint32_t> bias{"bias"};
    Input<uint32_t> multiplier{"multiplier"};
    Input<uint32_t> shift{"shift"};
    // 1: every sum, 2 * sum + bias and its product with the multiplier fit
    // 16 / 32 bits as the narrow path needs (checked by the runtime).
    Input<int> narrow{"narrow", 0, 0, 1};

    FilterCpuSchedule cpu_schedule;
    FilterGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        const Type sample = type_of<T>();
        BorderedImage image(input, channels, input.dim(0).extent(), input.dim(1).extent(), border);
        SeparableFilterAlgorithm a;
        a.integer = true;
        a.multiplier = multiplier;
        a.narrow = narrow;
        a.row_samples = input.dim(0).extent();
        define_separable_filter(a, image, column, row, column.dim(0).extent(), row.dim(0).extent(),
                                sample.bits() == 8 ? UInt(16) : UInt(32), UInt(32));
        Expr numerator = 2 * a.horizontal(a.fx, a.y) + bias;
        Expr quotient = (numerator * multiplier) >> shift;
        Expr numerator_narrow = 2 * a.horizontal_narrow(a.fx, a.y) + cast<uint16_t>(bias);
        Expr quotient_narrow = (cast<uint32_t>(numerator_narrow) * multiplier) >> shift;
        output(a.fx, a.y) = cast(sample, min(select(narrow == 1, quotient_narrow, quotient), cast<uint32_t>(sample.max())));
        a.output = output;
        for (auto *b : {&column, &row}) b->dim(0).set_min(0).set_stride(1);
        dense_interleaved(input);
        dense_interleaved(output);
        // (Declaration order: the macro declares output before the kernel's inputs.)
        if (this->get_auto_schedule()) {
            estimates.apply(input, channels, border, output, column, row, bias, multiplier, shift, narrow);
        } else {
            apply_schedule(cpu_schedule, gpu_schedule, a, sample, this->get_target());
        }
    }
};

// Float separable filter: v = sum / divisor, then |v| when absolute, + offset.
template<typename T>
class FilterSeparableFloatGenerator : public Generator<FilterSeparableFloatGenerator<T>> {
    using Base = Generator<FilterSeparableFloatGenerator<T>>;

public:
    template<typename U>
    using Input = typename Base::template Input<U>;
    template<typename U>
    using Output = typename Base::template Output<U>;

    HALCONV_FILTER_IMAGE_INPUTS
    Input<Buffer<float>> column{"column", 1};
    Input<Buffer<float>> row{"row", 1};
    Input<float> divisor{"divisor"};
    Input<int> absolute{"absolute", 0, 0, 1};
    Input<float> offset{"offset"};

    FilterCpuSchedule cpu_schedule;
    FilterGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        const Type sample = type_of<T>();
        BorderedImage image(input, channels, input.dim(0).extent(), input.dim(1).extent(), border);
        SeparableFilterAlgorithm a;
        a.row_samples = input.dim(0).extent();
        define_separable_filter(a, image, column, row, column.dim(0).extent(), row.dim(0).extent(), Float(32),
                                Float(32));
        Expr v = a.horizontal(a.fx, a.y) / divisor;
        v = select(absolute != 0, abs(v), v) + offset;
        output(a.fx, a.y) = round_and_saturate(v, sample);
        a.output = output;
        for (auto *b : {&column, &row}) b->dim(0).set_min(0).set_stride(1);
        dense_interleaved(input);
        dense_interleaved(output);
        if (this->get_auto_schedule()) {
            estimates.apply(input, channels, border, output, column, row, divisor, absolute, offset);
        } else {
            apply_schedule(cpu_schedule, gpu_schedule, a, sample, this->get_target());
        }
    }
};

// Direct 2-D filter, float accumulation: taps(j, i) = K[i][j] * divisor.
template<typename T>
class FilterDirectGenerator : public Generator<FilterDirectGenerator<T>> {
    using Base = Generator<FilterDirectGenerator<T>>;

public:
    template<typename U>
    using Input = typename Base::template Input<U>;
    template<typename U>
    using Output = typename Base::template Output<U>;

    HALCONV_FILTER_IMAGE_INPUTS
    Input<Buffer<float>> taps{"taps", 2};  // (j, i): width x height
    Input<float> divisor{"divisor"};
    Input<int> absolute{"absolute", 0, 0, 1};
    Input<float> offset{"offset"};

    FilterCpuSchedule cpu_schedule;
    FilterGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        const Type sample = type_of<T>();
        BorderedImage image(input, channels, input.dim(0).extent(), input.dim(1).extent(), border);
        DirectFilterAlgorithm a;
        define_direct_filter(a, image, taps, taps.dim(0).extent(), taps.dim(1).extent());
        Expr v = a.sum(a.fx, a.y) / divisor;
        v = select(absolute != 0, abs(v), v) + offset;
        output(a.fx, a.y) = round_and_saturate(v, sample);
        a.output = output;
        taps.dim(0).set_min(0).set_stride(1);
        taps.dim(1).set_min(0);
        dense_interleaved(input);
        dense_interleaved(output);
        if (this->get_auto_schedule()) {
            estimates.apply(input, channels, border, output, taps, divisor, absolute, offset);
        } else {
            apply_schedule(cpu_schedule, gpu_schedule, a, sample, this->get_target());
        }
    }
};

// |gx| + |gy| + offset of the 3x3 Sobel (weight 2) / Prewitt (weight 1)
// operator: exact in int16 (uint8 images) or int32 (uint16), float else.
template<typename T>
class GradientMagnitudeGenerator : public Generator<GradientMagnitudeGenerator<T>> {
    using Base = Generator<GradientMagnitudeGenerator<T>>;

public:
    template<typename U>
    using Input = typename Base::template Input<U>;
    template<typename U>
    using Output = typename Base::template Output<U>;

    HALCONV_FILTER_IMAGE_INPUTS
    Input<int> weight{"weight", 2, 1, 2};
    Input<float> offset{"offset"};

    FilterCpuSchedule cpu_schedule;
    FilterGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        const Type sample = type_of<T>();
        BorderedImage image(input, channels, input.dim(0).extent(), input.dim(1).extent(), border);
        GradientAlgorithm a;
        const Type accumulate = sample.is_float() ? Float(32) : sample.bits() == 8 ? Int(16) : Int(32);
        define_gradient(a, image, weight, accumulate);
        Expr m = a.magnitude(a.fx, a.y);
        if (sample.is_float()) {
            output(a.fx, a.y) = m + offset;
        } else {
            // An integer magnitude plus a rounded offset is the rounded sum.
            Expr shifted = cast<int32_t>(m) + cast<int32_t>(floor(offset + 0.5f));
            output(a.fx, a.y) = saturating_cast(sample, shifted);
        }
        a.output = output;
        dense_interleaved(input);
        dense_interleaved(output);
        if (this->get_auto_schedule()) {
            estimates.apply(input, channels, border, output, weight, offset);
        } else {
            apply_schedule(cpu_schedule, gpu_schedule, a, sample, this->get_target());
        }
    }
};

#undef HALCONV_FILTER_IMAGE_INPUTS

}  // namespace
}  // namespace halconv

HALIDE_REGISTER_GENERATOR(halconv::FilterSeparableIntegerGenerator<uint8_t>, filter_separable_integer_u8)
HALIDE_REGISTER_GENERATOR(halconv::FilterSeparableIntegerGenerator<uint16_t>, filter_separable_integer_u16)
HALIDE_REGISTER_GENERATOR(halconv::FilterSeparableFloatGenerator<uint8_t>, filter_separable_float_u8)
HALIDE_REGISTER_GENERATOR(halconv::FilterSeparableFloatGenerator<uint16_t>, filter_separable_float_u16)
HALIDE_REGISTER_GENERATOR(halconv::FilterSeparableFloatGenerator<float>, filter_separable_float_f32)
HALIDE_REGISTER_GENERATOR(halconv::FilterDirectGenerator<uint8_t>, filter_direct_u8)
HALIDE_REGISTER_GENERATOR(halconv::FilterDirectGenerator<uint16_t>, filter_direct_u16)
HALIDE_REGISTER_GENERATOR(halconv::FilterDirectGenerator<float>, filter_direct_f32)
HALIDE_REGISTER_GENERATOR(halconv::GradientMagnitudeGenerator<uint8_t>, gradient_magnitude_u8)
HALIDE_REGISTER_GENERATOR(halconv::GradientMagnitudeGenerator<uint16_t>, gradient_magnitude_u16)
HALIDE_REGISTER_GENERATOR(halconv::GradientMagnitudeGenerator<float>, gradient_magnitude_f32)
