#include "dxf/dxf.h"
#include "test.h"
int main(void) { return test_report(); }
