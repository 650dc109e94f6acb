/* A naive NIR validator, the yardstick of `bench/nir-vs-c.py`: reads lines, drops spaces,
 * checks 15 characters (digits, or 2A/2B at the department), the sex digit, the month and
 * the key (97 - n mod 97, Corsica as 19/18), and prints one JSON line per input with the
 * fields `mes nir check --json` prints (schema_version, input, valid, then the compact and
 * grouped NIR, or the reason, its code and a message of the same length): the same bytes out
 * for the same work. Not part of mes. */
#include <stdio.h>
#include <string.h>

int main(void) {
    static char line[4096], nir[32], out[8192];
    setvbuf(stdout, out, _IOFBF, sizeof out);
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = 0;
        size_t k = 0;
        for (size_t i = 0; i < n && k < 31; i++) if (line[i] != ' ') nir[k++] = line[i];
        nir[k] = 0;
        const char *reason = 0;
        if (k != 15) reason = "length";
        else {
            char d[16];
            memcpy(d, nir, 16);
            /* Corsica: 2A counts as 19, 2B as 18. */
            if (d[5] == '2' && (d[6] == 'A' || d[6] == 'a')) { d[5] = '1'; d[6] = '9'; }
            else if (d[5] == '2' && (d[6] == 'B' || d[6] == 'b')) { d[5] = '1'; d[6] = '8'; }
            for (int i = 0; i < 15 && !reason; i++) if (d[i] < '0' || d[i] > '9') reason = "character";
            if (!reason) {
                long long body = 0;
                for (int i = 0; i < 13; i++) body = body * 10 + (d[i] - '0');
                int key = (d[13] - '0') * 10 + (d[14] - '0');
                int month = (d[3] - '0') * 10 + (d[4] - '0');
                if (d[0] != '1' && d[0] != '2' && d[0] != '3' && d[0] != '4' && d[0] != '7' && d[0] != '8') reason = "sex";
                else if (month < 1 || (month > 12 && month < 20) || month > 99) reason = "month";
                else if (key != 97 - (int)(body % 97)) reason = "key";
            }
        }
        if (reason) {
            const char *message = strcmp(reason, "length") == 0 ? "Le numéro de sécurité sociale doit contenir 15 caractères"
                : "Format invalide, vérifier le format du numéro de sécurité sociale";
            printf("{\"schema_version\":2,\"input\":\"%s\",\"valid\":false,\"reason\":\"%s\",\"code\":\"nir_%s\",\"message\":\"%s\"}\n",
                   line, reason, reason, message);
        } else {
            printf("{\"schema_version\":2,\"input\":\"%s\",\"valid\":true,\"nir\":\"%s\",\"formatted\":\"%c %.2s %.2s %.2s %.3s %.3s %.2s\"}\n",
                   line, nir, nir[0], nir + 1, nir + 3, nir + 5, nir + 7, nir + 10, nir + 13);
        }
    }
    return 0;
}
