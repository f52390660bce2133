/* Presses Ctrl+C as a person at the console would, for the Ctrl+C journey (scripts/wine.sh).
   Usage: ctrlc-press READY-FILE COMMAND LINE...
   Starts the command line on this console, waits (up to 30 s) for READY-FILE to appear (the
   command's child made it), sends Ctrl+C to every process on the console, and exits with the
   command's exit code. It survives its own Ctrl+C by a handler, which (unlike ignoring Ctrl+C
   with a NULL handler) its children do not inherit. Exit 4-6: the journey itself failed. */
#include <windows.h>
#include <stdio.h>
#include <wchar.h>

static BOOL WINAPI survive(DWORD type) { return type == CTRL_C_EVENT; }

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: ctrlc-press READY-FILE COMMAND...\n"); return 2; }
    SetConsoleCtrlHandler(survive, TRUE);
    /* The command line after our own name and READY-FILE, as it was given. */
    int count;
    wchar_t *line = GetCommandLineW();
    wchar_t **args = CommandLineToArgvW(line, &count);
    wchar_t *rest = wcsstr(line, args[1]) + wcslen(args[1]);
    if (*rest == L'"') rest++;
    while (*rest == L' ') rest++;
    STARTUPINFOW si = { sizeof si };
    PROCESS_INFORMATION pi;
    if (!CreateProcessW(NULL, rest, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        fprintf(stderr, "ctrlc-press: cannot start the command: error %lu\n", GetLastError());
        return 3;
    }
    int ready = 0;
    for (int i = 0; i < 600 && !ready; i++) {
        ready = GetFileAttributesA(argv[1]) != INVALID_FILE_ATTRIBUTES;
        if (!ready) Sleep(50);
    }
    if (!ready) {
        fprintf(stderr, "ctrlc-press: the command's child never became ready\n");
        TerminateProcess(pi.hProcess, 4);
        return 4;
    }
    if (!GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0)) {
        fprintf(stderr, "ctrlc-press: GenerateConsoleCtrlEvent: error %lu (no console?)\n", GetLastError());
        TerminateProcess(pi.hProcess, 5);
        return 5;
    }
    if (WaitForSingleObject(pi.hProcess, 30000) != WAIT_OBJECT_0) {
        fprintf(stderr, "ctrlc-press: the command did not end within 30 s of Ctrl+C\n");
        TerminateProcess(pi.hProcess, 6);
        return 6;
    }
    DWORD code;
    GetExitCodeProcess(pi.hProcess, &code);
    return (int)code;
}
