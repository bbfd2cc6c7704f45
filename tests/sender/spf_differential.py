#!/usr/bin/python3
"""SPF differential cases: generates SPF zones and checks, and Debian's pyspf's verdicts.

Run with Debian's /usr/bin/python3 (it has python3-spf). Prints, one per line:
  zone <name> <TYPE> <data>          a record (TYPE A, AAAA, MX, PTR, TXT); data
                                     "!servfail" or "!timeout" makes that question fail
  case <id> <ip> <mail_from|-> <helo> <pyspf result> <label>
                                     (label: what the case is about, for listing
                                     known disagreements; "-" when nothing special)
tests/sender/spf_differential_test.cc reads this, loads the same zone into
a ZoneResolver and compares phishstream's check_mail_from() per case.
The cases are generated from a fixed seed, so every run is the same.
"""
import ipaddress
import random
import sys

import spf

ZONE = {}  # (name, type) -> list of data, or the string "!servfail"/"!timeout"


def add(name, rtype, data):
    ZONE.setdefault((name.lower().rstrip('.'), rtype), []).append(data)


def fail(name, rtype, how):
    ZONE[(name.lower().rstrip('.'), rtype)] = how


def fake_lookup(name, qtype, strict=True, timeout=None):
    name = str(name).lower().rstrip('.')
    data = ZONE.get((name, qtype))
    if isinstance(data, str):
        raise spf.TempError('DNS ' + data[1:])
    out = []
    for d in data or []:
        if qtype == 'TXT':
            out.append(((name, qtype), [d.encode()]))
        elif qtype == 'MX':
            pref, host = d.split(' ', 1)
            out.append(((name, qtype), (int(pref), host)))
        else:
            out.append(((name, qtype), d))
    return out


spf.DNSLookup = fake_lookup
R = random.Random(7208)
CASES = []


def case(ip, mail_from, helo='mx.client.test', label=None):
    CASES.append((ip, mail_from, helo, label))


def v4(net='192.0.2.0'):
    base = int(ipaddress.IPv4Address(net))
    return str(ipaddress.IPv4Address(base + R.randrange(256)))


def v6():
    return str(ipaddress.IPv6Address(int(ipaddress.IPv6Address('2001:db8::')) + (R.randrange(4) << 64) + R.randrange(4)))


def q():
    return R.choice(['', '+', '-', '~', '?'])


def gen(n):
    d = 'c%d.test' % n
    kind = n % 16
    sender = 'user%d@%s' % (n, d)
    if kind == 0:  # ip4 with a CIDR length
        length = R.choice([8, 16, 24, 25, 30, 32, 0])
        add(d, 'TXT', 'v=spf1 %sip4:192.0.2.%d/%d %sall' % (q(), R.randrange(256), length, q()))
        case(R.choice([v4(), v4('198.51.100.0')]), sender)
    elif kind == 1:  # ip6 with a CIDR length, v6 and v4 clients
        length = R.choice([32, 48, 64, 127, 128])
        add(d, 'TXT', 'v=spf1 ip6:2001:db8::/%d ip6:2001:db8:0:1::%x %sall' % (length, R.randrange(4), q()))
        case(R.choice([v6(), v6(), '2001:db9::1', v4()]), sender)
    elif kind == 2:  # a, with and without a (dual) CIDR length
        for _ in range(R.randrange(1, 3)):
            add(d, 'A', v4())
        add(d, 'AAAA', v6())
        mech = R.choice(['a', 'a/24', 'a/28', 'a//64', 'a/24//48', 'a:h.%s' % d, 'a:h.%s/26' % d])
        add('h.' + d, 'A', v4())
        add(d, 'TXT', 'v=spf1 %s%s -all' % (q(), mech))
        case(R.choice([v4(), v6(), v4('198.51.100.0')]), sender)
    elif kind == 3:  # mx, several exchanges, with and without CIDR
        for i in range(R.randrange(1, 4)):
            host = 'mx%d.%s' % (i, d)
            add(d, 'MX', '%d %s' % (R.randrange(50), host))
            add(host, 'A', v4())
            if R.random() < 0.5:
                add(host, 'AAAA', v6())
        mech = R.choice(['mx', 'mx/24', 'mx/30', 'mx//64', 'mx:%s/26' % d])
        add(d, 'TXT', 'v=spf1 %s ~all' % mech)
        case(R.choice([v4(), v4(), v6()]), sender)
    elif kind == 4:  # include chains
        depth = R.randrange(1, 5)
        for i in range(depth):
            add('i%d.%s' % (i, d), 'TXT', 'v=spf1 %sinclude:i%d.%s ?all' % (q(), i + 1, d))
        add('i%d.%s' % (depth, d), 'TXT', 'v=spf1 ip4:192.0.2.0/25 %sall' % q())
        add(d, 'TXT', 'v=spf1 include:i0.%s -all' % d)
        case(v4(), sender)
    elif kind == 5:  # redirect, to a record or to nowhere
        target = R.choice(['r.' + d, 'none.' + d, 'r2.' + d])
        add('r.' + d, 'TXT', 'v=spf1 ip4:192.0.2.0/26 %sall' % q())
        add('r2.' + d, 'TXT', 'v=spf1 redirect=r.%s' % d)
        add(d, 'TXT', 'v=spf1 %s redirect=%s' % (R.choice(['', 'ip4:192.0.2.200', 'a']), target))
        case(v4(), sender)
    elif kind == 6:  # exists with macros
        ip = v4()
        rev = '.'.join(reversed(ip.split('.')))
        spec, name = R.choice([
            ('%{i}.bl.' + d, ip + '.bl.' + d),
            ('%{ir}.%{v}.rev.' + d, rev + '.in-addr.rev.' + d),
            ('%{l}.users.%{d}', 'user%d.users.%s' % (n, d)),
            ('%{d2}.trusted.' + d, d + '.trusted.' + d),
            ('%{o}.o.' + d, d + '.o.' + d),
            ('%{s}.s.' + d, 'user%d.%s.s.%s' % (n, d, d)),
            ('%{h}.helo.' + d, 'mx.client.test.helo.' + d),
            ('%{l1r-}.lp.%{d}', 'user%d.lp.%s' % (n, d)),
            ('%{ir}.%{v}._spf.%{d2}', rev + '.in-addr._spf.' + d),
        ])
        if R.random() < 0.7:
            add(name, 'A', '127.0.0.2')
        add(d, 'TXT', 'v=spf1 %sexists:%s -all' % (q(), spec))
        case(ip, sender)
    elif kind == 7:  # qualifiers and all
        add(d, 'TXT', 'v=spf1 %sip4:192.0.2.0/%d %sall' % (q(), R.choice([24, 26, 28]), q()))
        case(v4(), sender)
    elif kind == 8:  # ptr
        ip = v4()
        rev = '.'.join(reversed(ip.split('.'))) + '.in-addr.arpa'
        host = R.choice(['host.' + d, 'host.other.test', d])
        if R.random() < 0.8:
            add(rev, 'PTR', host)
        if R.random() < 0.7:
            add(host, 'A', R.choice([ip, v4()]))
        add(d, 'TXT', 'v=spf1 %s -all' % R.choice(['ptr', 'ptr:' + d, 'ptr:other.test']))
        case(ip, sender)
    elif kind == 9:  # the 10-term limit: a chain of includes and a: terms
        count = R.choice([9, 10, 11, 12])
        for i in range(count):
            add('h%d.%s' % (i, d), 'A', '198.51.100.%d' % i)
        terms = ' '.join('a:h%d.%s' % (i, d) for i in range(count))
        add(d, 'TXT', 'v=spf1 %s ip4:192.0.2.0/24 -all' % terms)
        case(v4(), sender)
    elif kind == 10:  # void lookups
        voids = R.choice([1, 2, 3])
        terms = ' '.join('a:nx%d.%s' % (i, d) for i in range(voids))
        add(d, 'TXT', 'v=spf1 %s %s ip4:192.0.2.0/24 -all' % (terms, R.choice(['', 'mx:nomx.' + d])))
        add('nomx.' + d, 'A', '198.51.100.1')
        case(v4(), sender)
    elif kind == 11:  # missing records
        what = R.choice(['nothing', 'txt', 'include', 'two'])
        if what == 'txt':
            add(d, 'TXT', 'google-site-verification=abc')
        elif what == 'include':
            add(d, 'TXT', 'v=spf1 include:missing.%s -all' % d)
        elif what == 'two':
            add(d, 'TXT', 'v=spf1 -all')
            add(d, 'TXT', 'v=spf1 +all')
        case(v4(), sender)
    elif kind == 12:  # syntax that is permerror
        bad = R.choice(['ip4:192.0.2.0/33', 'ip4:192.0.2', 'ip4:192.0.02.1', 'a/33', 'a//129', 'mx/24/',
                        'foo', 'exists:%{x}.' + d, 'exists:%' + d, 'a:%{d0}.' + d, 'include',
                        'redirect=a.%s redirect=b.%s' % (d, d), 'exp=a.%s exp=b.%s' % (d, d),
                        'ip6:2001:db8::/129', 'all:x', 'ptr/24', 'a:' + d + ':25', '=a', 'exists:%{c}.' + d,
                        'a:localhost', 'x=%{q}'])
        add(d, 'TXT', 'v=spf1 ip4:192.0.2.0/24 %s -all' % bad)
        case(v4(), sender, label='syntax:' + bad.replace(d, 'D').replace(' ', '_'))
    elif kind == 13:  # DNS failures
        where = R.choice(['txt', 'a', 'include', 'mx-host'])
        how = R.choice(['!servfail', '!timeout'])
        if where == 'txt':
            fail(d, 'TXT', how)
        elif where == 'a':
            add(d, 'TXT', 'v=spf1 a:h.%s -all' % d)
            fail('h.' + d, 'A', how)
        elif where == 'include':
            add(d, 'TXT', 'v=spf1 include:i.%s -all' % d)
            fail('i.' + d, 'TXT', how)
        else:
            add(d, 'TXT', 'v=spf1 mx -all')
            add(d, 'MX', '10 mx.' + d)
            fail('mx.' + d, 'A', how)
        case(v4(), sender)
    elif kind == 14:  # the null sender: postmaster@HELO
        helo = 'helo%d.test' % n
        add(helo, 'TXT', 'v=spf1 ip4:192.0.2.0/25 %sall' % R.choice(['-', '~']))
        case(v4(), '', helo)
    else:  # IPv4-mapped clients, and A records under the a: of another domain
        add(d, 'TXT', 'v=spf1 a:host.%s ip4:192.0.2.128/25 -all' % d)
        add('host.' + d, 'A', '192.0.2.7')
        ip = R.choice(['::ffff:192.0.2.7', '::ffff:192.0.2.200', '::ffff:198.51.100.1', '192.0.2.7'])
        case(ip, sender)


def main():
    for n in range(int(sys.argv[1]) if len(sys.argv) > 1 else 160):
        gen(n)
    for (name, rtype), data in sorted(ZONE.items()):
        for d in ([data] if isinstance(data, str) else data):
            print('zone %s %s %s' % (name, rtype, d))
    for i, (ip, mail_from, helo, label) in enumerate(CASES):
        result = spf.query(i=ip, s=mail_from, h=helo, strict=True).check()[0]
        print('case %d %s %s %s %s %s' % (i, ip, mail_from or '-', helo, result, label or '-'))


if __name__ == '__main__':
    main()
