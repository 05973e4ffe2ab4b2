#ifndef SIPFLEET_COMMON_SCREEN_RENDER_H_
#define SIPFLEET_COMMON_SCREEN_RENDER_H_

#include <string>

#include "common/scenario/scenario.h"
#include "common/screen/screen_input.h"

namespace sipfleet::screen {

// The screens SIPp switches between with the keys 1-9.
inline constexpr int kScenarioScreen = 1;
inline constexpr int kStatisticsScreen = 2;
inline constexpr int kRepartitionScreen = 3;
inline constexpr int kVariablesScreen = 4;
inline constexpr int kTdmScreen = 5;
// Screens 6-9 show the repartition of RTD 2-5 (screen 3 shows RTD 1).
inline constexpr int kFirstExtraRepartitionScreen = 6;
inline constexpr int kLastScreen = 9;

// The maximum width of every rendered line, in columns.
inline constexpr int kScreenWidth = 80;

// Screen `number` (1-9, as SIPp's keys) as it appears on a terminal: lines
// separated by '\n' (no trailing '\n'), no tabs, no trailing blanks, no line
// wider than kScreenWidth, ending with SIPp's key-help (or paused, quitting,
// terminated) banner. Any other `number` renders screen 1. Never fails:
// a null scenario or snapshots shorter than the scenario show zeros.
std::string RenderScreen(int number, const ScreenInput& input);

// What SIPp writes to `<scenario>_<pid>_screen.log` (-trace_screen at exit,
// SIGUSR2, the 's' key): the scenario, statistics and repartition screens
// one after the other, each ending with its banner line, in the file's own
// layout (tab-separated times, rows padded with blanks as SIPp pads them).
// Every line ends with '\n'.
std::string RenderScreenDump(const ScreenInput& input);

// The name of a scenario element's row on screen 1 (also the label of its
// per-message statistics elsewhere): method or status code for <send>, the
// request, regexp or response code for <recv>; "" for other elements.
std::string MessageName(const scenario::Element& element);

}  // namespace sipfleet::screen

#endif  // SIPFLEET_COMMON_SCREEN_RENDER_H_
