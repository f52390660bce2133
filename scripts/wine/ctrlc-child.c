/* The command `patwiz exec` starts in the Ctrl+C journey (scripts/wine.sh): it makes the
   file argv[1] once it is ready, then waits for Ctrl+C. Exit 42 when Ctrl+C comes; 9 if it
   never does within 30 s. */
#include <windows.h>

static volatile LONG pressed = 0;

static BOOL WINAPI on_ctrl(DWORD type) {
    if (type != CTRL_C_EVENT) return FALSE;
    InterlockedExchange(&pressed, 1);
    return TRUE;
}

int main(int argc, char **argv) {
    SetConsoleCtrlHandler(on_ctrl, TRUE);
    if (argc > 1) CloseHandle(CreateFileA(argv[1], GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL));
    for (int i = 0; i < 600; i++) {
        if (pressed) return 42;
        Sleep(50);
    }
    return 9;
}
