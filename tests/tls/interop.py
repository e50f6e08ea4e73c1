#!/usr/bin/python3
"""Interop between hsbench and OpenSSL's command-line TLS tools on loopback.

  interop.py client ...   hsbench client  ->  openssl s_server -rev
  interop.py server ...   openssl s_client ->  hsbench server (echo)
  interop.py auth-client  hsbench client --client-cert -> s_server -Verify/-verify
  interop.py auth-server  s_client -cert -> hsbench server --verify-client

The auth modes are client authentication (RFC 5246 7.4.4-7.4.8): a good
client certificate, none (accepted where optional, handshake_failure where
required), one from an untrusted CA (unknown_ca), and (auth-client, through
--authtool, which flips a bit of our CertificateVerify) a bad signature
(decrypt_error), each checked on both ends.

--etm/--ems set hsbench's encrypt_then_mac (RFC 7366) and
extended_master_secret (RFC 7627), --peer-etm/--peer-ems OpenSSL's (-no_etm;
OpenSSL 3.0's tools have no -no_ems, so an OPENSSL_CONF file with
"Options = -ExtendedMasterSecret" switches that off); each is expected in use
exactly when both ends have it on, and hsbench must report so.

Both bind ephemeral ports (port 0; the servers print the port they got),
generate their certificates at run time into --work, and check the data that
comes back byte for byte. Exit 0 on success, 1 on failure, 77 when openssl is
missing (ctest SKIP_RETURN_CODE).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time

CIPHERS = {"rsa": "AES128-SHA256", "dhe": "DHE-RSA-AES128-SHA256",
           "rsa-gcm": "AES128-GCM-SHA256", "dhe-gcm": "DHE-RSA-AES128-GCM-SHA256"}
SUITES = {"rsa": "TLS_RSA_WITH_AES_128_CBC_SHA256",
          "dhe": "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
          "rsa-gcm": "TLS_RSA_WITH_AES_128_GCM_SHA256",
          "dhe-gcm": "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"}


def suite_key(args):
    """The key of CIPHERS/SUITES: the kx, and -gcm for the RFC 5288 suites."""
    return args.kx + ("-gcm" if args.gcm else "")


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def skip_if_unavailable(rc, text):
    """A composition without a class the handshake needs: skip, not fail."""
    if rc == 2 and "the composition has no" in text:
        print("SKIP: " + text.strip().splitlines()[-1], flush=True)
        sys.exit(77)


def wait_for_line(path, pattern, proc, timeout=20.0):
    """Poll a log file for a regex; return the match."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            with open(path, "r", errors="replace") as f:
                m = re.search(pattern, f.read())
            if m:
                return m
        except FileNotFoundError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    with open(path, "r", errors="replace") as f:
        log = f.read()
    skip_if_unavailable(proc.poll(), log)
    fail("no line matching %r (process %s); log:\n%s" % (pattern, proc.poll(), log))


def make_certs(args):
    """Certificates from --certs (made once by the tls_certs fixture), or made
    here when that folder has none for this size."""
    d = os.path.join(args.certs or args.work, "certs-%d" % args.bits)
    files = (os.path.join(d, "ca.pem"), os.path.join(d, "chain.pem"), os.path.join(d, "key.pem"))
    if all(os.path.exists(f) for f in files):
        return files
    os.makedirs(d, exist_ok=True)
    r = subprocess.run([args.certtool, d, str(args.bits)], timeout=120)
    if r.returncode != 0:
        fail("certificate generation failed")
    return files


def make_client_certs(args, variant):
    """A client certificate set (certgen's client or client-untrusted) from
    --certs, or made here: (ca, chain, key)."""
    d = os.path.join(args.certs or args.work, "%s-%d" % (variant, args.bits))
    files = (os.path.join(d, "ca.pem"), os.path.join(d, "chain.pem"), os.path.join(d, "key.pem"))
    if all(os.path.exists(f) for f in files):
        return files
    os.makedirs(d, exist_ok=True)
    r = subprocess.run([args.certtool, d, str(args.bits), variant], timeout=120)
    if r.returncode != 0:
        fail("client certificate generation failed")
    return files


def peer_ext(args):
    """OpenSSL's extra arguments and environment for --peer-etm/--peer-ems."""
    extra, env = [], dict(os.environ)
    if args.peer_etm == "off":
        extra.append("-no_etm")
    if args.peer_ems == "off":
        conf = os.path.join(args.work, "no-ems.cnf")
        with open(conf, "w") as f:
            f.write("openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n"
                    "[ssl_sect]\nsystem_default = sd\n[sd]\nOptions = -ExtendedMasterSecret\n")
        env["OPENSSL_CONF"] = conf
    return extra, env


def ours_ext(args):
    suite = ["--suite", args.kx + "-gcm"] if args.gcm else []
    return ["--etm", args.etm, "--ems", args.ems] + suite


def want_ext(args):
    """What hsbench must report as negotiated."""
    both = lambda a, b: "on" if a == b == "on" else "off"
    # RFC 7366 3: no encrypt_then_mac with an AEAD suite, whatever both ends offer
    etm = "off" if args.gcm else both(args.etm, args.peer_etm)
    return "etm %s, ems %s" % (etm, both(args.ems, args.peer_ems))


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_client(args):
    """hsbench client against openssl s_server -rev (reverses each line)."""
    ca, chain, key = make_certs(args)
    dh = os.path.join(args.work, "ffdhe2048.pem")
    r = subprocess.run(["openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt",
                        "group:ffdhe2048", "-out", dh], capture_output=True, timeout=60)
    if r.returncode != 0:
        fail("openssl genpkey: " + r.stderr.decode(errors="replace"))
    log = os.path.join(args.work, "s_server-%s-%d.log" % (args.kx, args.bits))
    extra, env = peer_ext(args)
    with open(log, "w") as out:
        srv = subprocess.Popen(["openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", chain,
                                "-key", key, "-tls1_2", "-cipher", CIPHERS[suite_key(args)], "-dhparam",
                                dh, "-rev", "-naccept", str(args.n)] + extra,
                               stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                               env=env)
    try:
        port = wait_for_line(log, r"ACCEPT 127\.0\.0\.1:(\d+)", srv).group(1)
        cmd = [args.hsbench, "client", "--connect", "127.0.0.1:" + port, "--cafile", ca,
               "--servername", "localhost", "--kx", args.kx, "--handshakes", str(args.n),
               "--data", str(args.data), "--echo", "rev"] + ours_ext(args)
        if args.backend:
            cmd += ["--backend", args.backend]
        print("+ " + " ".join(cmd), flush=True)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
        print(r.stdout + r.stderr, flush=True)
        skip_if_unavailable(r.returncode, r.stdout + r.stderr)
        if r.returncode != 0:
            fail("hsbench client exited %d" % r.returncode)
        want = "summary: %d handshakes ok, 0 failed; %d bytes echoed" % (args.n, args.n * args.data)
        if want not in r.stdout:
            fail("summary line missing: %r" % want)
        if SUITES[suite_key(args)] not in r.stdout or ("rsa-%d" % args.bits) not in r.stdout:
            fail("negotiated suite/key not reported as expected")
        if want_ext(args) not in r.stdout:
            fail("hsbench client does not report %r" % want_ext(args))
        if args.kx == "dhe" and "ffdhe2048" not in r.stdout:
            fail("client did not recognise the server's ffdhe2048 group")
        try:
            srv.wait(timeout=10)
        except subprocess.TimeoutExpired:
            fail("s_server did not finish its %d connections" % args.n)
        with open(log, errors="replace") as f:
            slog = f.read()
        n_est = slog.count("CONNECTION ESTABLISHED")
        if n_est != args.n or slog.count("Ciphersuite: " + CIPHERS[suite_key(args)]) != args.n:
            fail("s_server saw %d connections with the wrong suite:\n%s" % (n_est, slog))
    finally:
        stop(srv)
    print("ok: hsbench client -> openssl s_server, kx=%s rsa-%d, %d handshakes, %s"
          % (args.kx, args.bits, args.n, want_ext(args)))


def s_client_cmd(args, port, ca):
    return ["openssl", "s_client", "-connect", "127.0.0.1:%s" % port, "-tls1_2", "-cipher",
            CIPHERS[suite_key(args)], "-CAfile", ca, "-servername", "localhost", "-verify_hostname",
            "localhost", "-verify_return_error", "-quiet", "-no_ign_eof", "-nocommands"]


def s_client_once(args, port, ca, data, auth=()):
    cmd = s_client_cmd(args, port, ca) + list(auth)
    extra, env = peer_ext(args)
    p = subprocess.Popen(cmd + extra, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    got = bytearray()
    err = bytearray()

    def reader(stream, buf, limit):
        while limit is None or len(buf) < limit:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            if not chunk:
                break
            buf.extend(chunk)

    t = threading.Thread(target=reader, args=(p.stdout, got, len(data)))
    te = threading.Thread(target=reader, args=(p.stderr, err, None))
    t.start()
    te.start()
    p.stdin.write(data)
    p.stdin.flush()
    t.join(timeout=args.timeout)
    if len(got) < len(data):
        stop(p)
        fail("s_client got %d of %d echoed bytes; stderr:\n%s"
             % (len(got), len(data), err.decode(errors="replace")))
    if bytes(got) != data:
        stop(p)
        fail("echo differs from what s_client sent")
    p.stdin.close()  # s_client sends close_notify and waits for ours
    try:
        rc = p.wait(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        stop(p)
        fail("s_client did not exit after close")
    te.join(timeout=5)
    if rc != 0:
        fail("s_client exited %d: %s" % (rc, err.decode(errors="replace")))
    if b"verify return:1" not in err:
        fail("s_client did not verify the chain: " + err.decode(errors="replace"))


def start_hsbench_server(args, log, conns, extra):
    """hsbench server on an ephemeral port for conns connections, our
    certificate, --kx and the extra options; returns (process, port)."""
    ca, chain, key = make_certs(args)
    cmd = [args.hsbench, "server", "--listen", "127.0.0.1:0", "--cert", chain, "--key", key,
           "--kx", args.kx, "--max-conns", str(conns)] + extra
    print("+ " + " ".join(cmd), flush=True)
    with open(log, "w") as out:
        srv = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                               stderr=subprocess.STDOUT)
    return srv, wait_for_line(log, r"listening on 127\.0\.0\.1:(\d+)", srv).group(1)


def run_server(args):
    """openssl s_client against hsbench server (echo)."""
    ca = make_certs(args)[0]
    log = os.path.join(args.work, "hsbench-server-%s-%d.log" % (args.kx, args.bits))
    extra = ours_ext(args) + (["--backend", args.backend] if args.backend else [])
    srv, port = start_hsbench_server(args, log, args.n, extra)
    try:
        for i in range(args.n):
            data = os.urandom(args.data)
            s_client_once(args, port, ca, data)
        try:
            rc = srv.wait(timeout=10)
        except subprocess.TimeoutExpired:
            fail("hsbench server did not stop after --max-conns %d" % args.n)
        with open(log, errors="replace") as f:
            slog = f.read()
        print(slog, flush=True)
        if rc != 0:
            fail("hsbench server exited %d" % rc)
        ok = re.findall(r"conn \d+ from 127\.0\.0\.1:\d+: ok TLSv1\.2 (\S+) rsa-(\d+).*echoed (\d+)"
                        r" bytes", slog)
        if len(ok) != args.n or any(s != SUITES[suite_key(args)] or int(b) != args.bits
                                    or int(e) != args.data for s, b, e in ok):
            fail("server log does not show %d good connections" % args.n)
        if slog.count(want_ext(args)) != args.n:
            fail("server log does not report %r for every connection" % want_ext(args))
    finally:
        stop(srv)
    print("ok: openssl s_client -> hsbench server, kx=%s rsa-%d, %d connections, %s"
          % (args.kx, args.bits, args.n, want_ext(args)))


def run_robust(args):
    """hsbench server survives bad clients and stops cleanly on SIGINT."""
    import signal
    import socket
    ca, chain, key = make_certs(args)
    log = os.path.join(args.work, "hsbench-server-robust.log")
    cmd = [args.hsbench, "server", "--listen", "127.0.0.1:0", "--cert", chain, "--key", key,
           "--kx", args.kx, "--threads", "2"]
    with open(log, "w") as out:
        srv = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                               stderr=subprocess.STDOUT)
    try:
        port = int(wait_for_line(log, r"listening on 127\.0\.0\.1:(\d+)", srv).group(1))
        # 1. plaintext HTTP: not a TLS record -> fatal unexpected_message alert
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            reply = s.recv(100)
        if reply != bytes([21, 3, 3, 0, 2, 2, 10]):
            fail("expected an unexpected_message alert record, got %r" % reply)
        wait_for_line(log, r"conn 1 from .*failed: .*unexpected_message", srv)
        # 2. connect and hang up at once
        socket.create_connection(("127.0.0.1", port), timeout=10).close()
        wait_for_line(log, r"conn 2 from .*failed: .*closed", srv)
        # 3. a good client still gets served
        s_client_once(args, port, ca, os.urandom(args.data))
        wait_for_line(log, r"conn 3 from .*: ok TLSv1\.2", srv)
        # 4. SIGINT with an idle connection open: a clean stop
        idle = socket.create_connection(("127.0.0.1", port), timeout=10)
        time.sleep(0.3)
        srv.send_signal(signal.SIGINT)
        try:
            rc = srv.wait(timeout=10)
        except subprocess.TimeoutExpired:
            fail("hsbench server did not stop on SIGINT")
        idle.close()
        with open(log, errors="replace") as f:
            slog = f.read()
        print(slog, flush=True)
        if rc != 0 or "stopped by SIGINT" not in slog:
            fail("hsbench server exit %d after SIGINT" % rc)
    finally:
        stop(srv)
    print("ok: hsbench server survives bad clients and stops on SIGINT")


def start_s_server(args, name, verify):
    """openssl s_server -rev for one connection, asking for a client
    certificate as verify says; returns (process, port, log path)."""
    ca, chain, key = make_certs(args)
    log = os.path.join(args.work, "s_server-%s.log" % name)
    with open(log, "w") as out:
        srv = subprocess.Popen(["openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", chain,
                                "-key", key, "-tls1_2", "-cipher", CIPHERS[suite_key(args)], "-rev",
                                "-naccept", "1"] + verify,
                               stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    port = wait_for_line(log, r"ACCEPT 127\.0\.0\.1:(\d+)", srv).group(1)
    return srv, port, log


def finish_s_server(srv, log):
    try:
        srv.wait(timeout=10)
    except subprocess.TimeoutExpired:
        fail("s_server did not finish its connection")
    with open(log, errors="replace") as f:
        return f.read()


def auth_client_case(args, name, verify, ours, want_ok, want_alert, want_log):
    """One connection of ours (the command ours) to s_server with verify:
    it succeeds (want_ok) or fails with want_alert received; s_server's log
    holds every string of want_log."""
    srv, port, log = start_s_server(args, name, verify)
    try:
        cmd = [c.replace("PORT", port) for c in ours]
        print("+ " + " ".join(cmd), flush=True)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
        out = r.stdout + r.stderr
        print(out, flush=True)
        if want_ok and r.returncode != 0:
            fail("%s: our client failed (%d)" % (name, r.returncode))
        if not want_ok and (r.returncode != 1 or want_alert not in out):
            fail("%s: our client did not fail with %r received (exit %d)"
                 % (name, want_alert, r.returncode))
        slog = finish_s_server(srv, log)
        for want in want_log:
            if want not in slog:
                fail("%s: s_server log lacks %r:\n%s" % (name, want, slog))
    finally:
        stop(srv)
    print("ok: %s" % name, flush=True)


def run_auth_client(args):
    """hsbench client (and the corrupting tool) against s_server asking for
    client certificates."""
    sca = make_certs(args)[0]
    cca, cchain, ckey = make_client_certs(args, "client")
    _, uchain, ukey = make_client_certs(args, "client-untrusted")
    require = ["-Verify", "1", "-verify_return_error", "-CAfile", cca]
    ours = [args.hsbench, "client", "--connect", "127.0.0.1:PORT", "--cafile", sca,
            "--servername", "localhost", "--kx", args.kx, "--data", "200", "--echo", "rev"]
    cert = ["--client-cert", cchain, "--client-key", ckey]
    auth_client_case(args, "client certificate, s_server -Verify", require, ours + cert, True,
                     None, ["CN = hsbench client", "CONNECTION ESTABLISHED"])
    auth_client_case(args, "no certificate, s_server -verify (optional)",
                     ["-verify", "1", "-verify_return_error", "-CAfile", cca], ours, True, None,
                     ["CONNECTION ESTABLISHED"])
    auth_client_case(args, "no certificate, s_server -Verify", require, ours, False,
                     "received alert handshake_failure(40)", ["did not return a certificate"])
    auth_client_case(args, "untrusted client certificate, s_server -Verify", require,
                     ours + ["--client-cert", uchain, "--client-key", ukey], False,
                     "received alert unknown_ca(48)", ["unable to get local issuer"])
    tool = [args.authtool, "127.0.0.1", "PORT", sca, cchain, ckey]
    auth_client_case(args, "control: the tap without corruption", require, tool, True, None,
                     ["CN = hsbench client", "CONNECTION ESTABLISHED"])
    auth_client_case(args, "bad CertificateVerify, s_server -Verify", require,
                     tool + ["corrupt-cv"], False, "received alert decrypt_error(51)",
                     ["bad signature"])
    print("ok: hsbench client authenticates to openssl s_server, kx=%s" % args.kx)


def s_client_refused(args, port, ca, auth, alert_no):
    """s_client with auth (its -cert/-key or none) is refused by our server:
    it reports the alert number we sent."""
    cmd = s_client_cmd(args, port, ca) + list(auth)
    print("+ " + " ".join(cmd), flush=True)
    r = subprocess.run(cmd, input=b"hello\n", capture_output=True, timeout=args.timeout)
    err = r.stderr.decode(errors="replace")
    if r.returncode == 0 or ("SSL alert number %d" % alert_no) not in err:
        fail("s_client was not refused with alert %d (exit %d):\n%s"
             % (alert_no, r.returncode, err))


def run_auth_server(args):
    """openssl s_client, with and without -cert, against hsbench server
    --verify-client require, then optional."""
    sca = make_certs(args)[0]
    cca, cchain, ckey = make_client_certs(args, "client")
    _, uchain, ukey = make_client_certs(args, "client-untrusted")
    for mode, conns in (("require", 3), ("optional", 3)):
        log = os.path.join(args.work, "hsbench-server-verify-%s.log" % mode)
        srv, port = start_hsbench_server(args, log, conns,
                                         ["--verify-client", mode, "--client-ca", cca])
        try:
            s_client_once(args, port, sca, os.urandom(args.data), ["-cert", cchain, "-key", ckey])
            s_client_refused(args, port, sca, ["-cert", uchain, "-key", ukey], 48)
            if mode == "require":
                s_client_refused(args, port, sca, [], 40)
            else:
                s_client_once(args, port, sca, os.urandom(args.data))
            try:
                srv.wait(timeout=10)
            except subprocess.TimeoutExpired:
                fail("hsbench server did not stop after --max-conns %d" % conns)
            with open(log, errors="replace") as f:
                slog = f.read()
            print(slog, flush=True)
            for want in ["unknown_ca"] + (["handshake_failure"] if mode == "require" else []):
                if want not in slog:
                    fail("server log does not report %s" % want)
            # the certificate that was verified is named on its connection's
            # line; the optional connection without one names none
            authed = re.findall(r': ok TLSv1\.2 .* client "([^"]*)"', slog)
            if len(authed) != 1 or "CN" not in authed[0]:
                fail("server log names the client certificate once: %r" % authed)
        finally:
            stop(srv)
        print("ok: openssl s_client -> hsbench server --verify-client %s, kx=%s" % (mode, args.kx))


def run_auth_usage(args):
    """The client authentication options' usage errors: exit 2 and a message
    that names the options, before anything listens or connects."""
    sca, chain, key = make_certs(args)
    cca, cchain, ckey = make_client_certs(args, "client")
    srv = [args.hsbench, "server", "--listen", "127.0.0.1:0", "--cert", chain, "--key", key,
           "--max-conns", "1"]
    cli = [args.hsbench, "client", "--connect", "127.0.0.1:9", "--cafile", sca]
    cases = [
        (srv + ["--verify-client", "require"], "--verify-client require needs --client-ca"),
        (srv + ["--verify-client", "optional"], "--verify-client optional needs --client-ca"),
        (srv + ["--client-ca", cca], "--client-ca needs --verify-client"),
        (srv + ["--verify-client", "sometimes", "--client-ca", cca],
         "bad value for --verify-client"),
        (srv + ["--verify-client", "require", "--client-ca", "/nonexistent.pem"],
         "cannot open the CA file"),
        (srv + ["--client-cert", cchain], "unknown option"),
        (cli + ["--client-cert", cchain], "--client-cert and --client-key go together"),
        (cli + ["--client-key", ckey], "--client-cert and --client-key go together"),
        (cli + ["--client-cert", cchain, "--client-key", key],
         "private key does not match the certificate"),
        (cli + ["--verify-client", "require"], "unknown option"),
    ]
    for cmd, want in cases:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        if r.returncode != 2 or want not in r.stderr:
            fail("%s: exit %d, stderr %r; wanted 2 and %r"
                 % (" ".join(cmd[1:]), r.returncode, r.stderr, want))
        print("ok: %s -> %s" % (" ".join(cmd[1:2] + cmd[-2:]), r.stderr.strip().splitlines()[-1]))
    for cmd in (srv, cli):
        r = subprocess.run(cmd[:2] + ["--help"], capture_output=True, text=True, timeout=30)
        for opt in (["--verify-client", "--client-ca"] if cmd is srv
                    else ["--client-cert", "--client-key"]):
            if r.returncode != 0 or opt not in r.stdout:
                fail("hsbench %s --help does not describe %s" % (cmd[1], opt))
    print("ok: client authentication usage errors")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["client", "server", "robust", "auth-client", "auth-server",
                                     "auth-usage"])
    ap.add_argument("--hsbench", required=True)
    ap.add_argument("--certtool", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--certs", default=None, help="folder with certs-BITS/ made beforehand")
    ap.add_argument("--authtool", default=None, help="tls_auth_client_tool (auth-client)")
    ap.add_argument("--kx", choices=["rsa", "dhe"], required=True)
    ap.add_argument("--bits", type=int, default=2048)
    ap.add_argument("-n", type=int, default=3, help="connections")
    ap.add_argument("--data", type=int, default=3000)
    ap.add_argument("--backend", default=None)
    ap.add_argument("--gcm", action="store_true",
                    help="the AES-128-GCM suite of --kx (RFC 5288) on both ends")
    ap.add_argument("--timeout", type=float, default=60.0)
    for opt in ["--etm", "--ems", "--peer-etm", "--peer-ems"]:
        ap.add_argument(opt, choices=["on", "off"], default="on")
    args = ap.parse_args()
    if args.mode == "auth-usage":
        os.makedirs(args.work, exist_ok=True)
        run_auth_usage(args)
        return 0
    if shutil.which("openssl") is None:
        print("SKIP: no openssl command")
        return 77
    os.makedirs(args.work, exist_ok=True)
    if args.mode == "client":
        run_client(args)
    elif args.mode == "server":
        run_server(args)
    elif args.mode == "auth-client":
        run_auth_client(args)
    elif args.mode == "auth-server":
        run_auth_server(args)
    else:
        run_robust(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
