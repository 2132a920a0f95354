#pragma once
#include "nascent/low/bottom.hpp"
