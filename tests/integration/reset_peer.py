"""A TCP peer that misbehaves on purpose: for every connection it reads the
request, writes the first half of a SIP response and resets the connection
(SO_LINGER 0). Used by transport_test.sh tcp_reset_mid_message; exits after
60 s or when killed."""
import socket
import struct
import sys
import time

host, port = sys.argv[1], int(sys.argv[2])
family = socket.AF_INET6 if ":" in host else socket.AF_INET
listener = socket.socket(family, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((host, port))
listener.listen(64)
listener.settimeout(1.0)
deadline = time.monotonic() + 60
half = b"SIP/2.0 180 Ringing\r\nVia: SIP/2.0/TCP x\r\nContent-Length: 0\r\nCall-ID: half"
while time.monotonic() < deadline:
    try:
        conn, _ = listener.accept()
    except socket.timeout:
        continue
    conn.settimeout(5.0)
    try:
        conn.recv(65536)
        conn.sendall(half)
    except OSError:
        pass
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
