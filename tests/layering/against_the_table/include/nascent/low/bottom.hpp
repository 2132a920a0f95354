#pragma once
#include "nascent/high/top.hpp"  // against the table: low/ may include only low/
