// Parsing and naming of number formats.
#include <gtest/gtest.h>

#include "coda/core/error.h"
#include "coda/quant/number_format.h"

using namespace coda::quant;

namespace {

void expect_parse_error(const std::string& text, const std::string& fragment) {
  try {
    parse_format(text);
    ADD_FAILURE() << text << " parsed";
  } catch (const coda::ParseError& e) {
    EXPECT_NE(e.message().find("'" + text + "'"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find(fragment), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(NumberFormat, ParsesEveryNamedFormat) {
  NumberFormat f = parse_format("int8");
  EXPECT_EQ(f.kind, FormatKind::Int);
  EXPECT_EQ(f.bits, 8);
  EXPECT_FALSE(f.asymmetric);
  EXPECT_EQ(f.granularity, Granularity::PerTensor);
  EXPECT_EQ(f.qmax(), 127);
  EXPECT_EQ(f.qmin(), -127);

  f = parse_format("int4/g128");
  EXPECT_EQ(f.bits, 4);
  EXPECT_EQ(f.granularity, Granularity::PerGroup);
  EXPECT_EQ(f.group_size, 128);
  EXPECT_EQ(f.axis, -1);
  EXPECT_EQ(f.qmax(), 7);

  f = parse_format("int8/ch");
  EXPECT_EQ(f.granularity, Granularity::PerChannel);
  EXPECT_EQ(f.axis, 0);

  f = parse_format("uint8");
  EXPECT_TRUE(f.asymmetric);
  EXPECT_EQ(f.qmin(), 0);
  EXPECT_EQ(f.qmax(), 255);
  EXPECT_EQ(parse_format("int8/asym"), f);
  EXPECT_EQ(parse_format("int16").qmax(), 32767);
  EXPECT_EQ(parse_format("int2").qmax(), 1);

  EXPECT_EQ(parse_format("fp8e4m3").fp8, Fp8Kind::E4M3);
  EXPECT_EQ(parse_format("fp8e5m2").fp8, Fp8Kind::E5M2);
  EXPECT_EQ(parse_format("mxint8").element, MxElement::Int8);
  EXPECT_EQ(parse_format("mxfp8e4m3").element, MxElement::E4M3);
  EXPECT_EQ(parse_format("mxfp8e5m2").element, MxElement::E5M2);
  EXPECT_EQ(parse_format("mxfp6e3m2").element, MxElement::E3M2);
  EXPECT_EQ(parse_format("mxfp6e2m3").element, MxElement::E2M3);
  EXPECT_EQ(parse_format("mxfp4").element, MxElement::E2M1);
  EXPECT_EQ(parse_format("mxfp4").block_size, 32);
  EXPECT_EQ(parse_format("smx8").bits, 8);
  EXPECT_EQ(parse_format("smx12").bits, 12);
  EXPECT_EQ(parse_format("smx12").qmax(), 2047);
}

TEST(NumberFormat, NamesRoundTrip) {
  for (const char* s : {"int8", "int4/g128", "int8/ch", "uint8", "uint4/g32", "int2", "int16", "fp8e4m3", "fp8e5m2",
                        "fp8e4m3/ch", "mxint8", "mxfp8e4m3", "mxfp8e5m2", "mxfp6e3m2", "mxfp6e2m3", "mxfp4", "smx8", "smx12"}) {
    EXPECT_EQ(format_name(parse_format(s)), s);
  }
  EXPECT_EQ(format_name(parse_format("int8/asym")), "uint8");
}

TEST(NumberFormat, MxElementEmax) {
  EXPECT_EQ(mx_element_emax(MxElement::Int8), 0);
  EXPECT_EQ(mx_element_emax(MxElement::E4M3), 8);
  EXPECT_EQ(mx_element_emax(MxElement::E5M2), 15);
  EXPECT_EQ(mx_element_emax(MxElement::E3M2), 4);
  EXPECT_EQ(mx_element_emax(MxElement::E2M3), 2);
  EXPECT_EQ(mx_element_emax(MxElement::E2M1), 2);
}

TEST(NumberFormat, BadStringsNameThemselves) {
  expect_parse_error("int1", "bit width 1");
  expect_parse_error("int17", "bit width 17");
  expect_parse_error("int", "no bit width");
  expect_parse_error("int4/g0", "group size");
  expect_parse_error("int4/gx", "group size");
  expect_parse_error("int8/chan", "unknown modifier");
  expect_parse_error("fp8e4m4", "unknown format");
  expect_parse_error("mxfp4/ch", "unknown modifier");
  expect_parse_error("smx8/asym", "unknown modifier");
  expect_parse_error("", "unknown format");
}
