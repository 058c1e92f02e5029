import java.time.*;
import java.time.format.*;
import java.util.*;
// Generates xdm/expr/javatime/zonedata.go's table: for every zone id Java 17 knows, its
// Locale.US names (z, zzzz standard/daylight; v, vvvv), and for every name, the zone id
// Java's parser resolves it to with "z" (short names) or "zzzz" (full names).
public class Zones {
  public static void main(String[] a) {
    Locale L = Locale.US;
    DateTimeFormatter zs = DateTimeFormatter.ofPattern("z", L), zf = DateTimeFormatter.ofPattern("zzzz", L),
      vs = DateTimeFormatter.ofPattern("v", L), vf = DateTimeFormatter.ofPattern("vvvv", L);
    Instant jan = Instant.parse("2019-01-15T12:00:00Z"), jul = Instant.parse("2019-07-15T12:00:00Z");
    TreeSet<String> ids = new TreeSet<>(ZoneId.getAvailableZoneIds());
    TreeSet<String> shorts = new TreeSet<>(), fulls = new TreeSet<>();
    StringBuilder out = new StringBuilder();
    for (String id : ids) {
      ZoneId z = ZoneId.of(id);
      ZonedDateTime a1 = jan.atZone(z), a2 = jul.atZone(z);
      boolean d1 = z.getRules().isDaylightSavings(jan), d2 = z.getRules().isDaylightSavings(jul);
      ZonedDateTime std = d1 ? a2 : a1, dst = d1 ? a1 : (d2 ? a2 : null);
      String s = zs.format(std), f = zf.format(std);
      String sd = dst == null ? "" : zs.format(dst), fd = dst == null ? "" : zf.format(dst);
      out.append(id + "\t" + s + "\t" + sd + "\t" + f + "\t" + fd + "\t" + vs.format(a1) + "\t" + vf.format(a1) + "\n");
      shorts.add(s); if (!sd.isEmpty()) shorts.add(sd);
      fulls.add(f); if (!fd.isEmpty()) fulls.add(fd);
    }
    for (int style = 0; style < 2; style++) {
      DateTimeFormatter p = DateTimeFormatter.ofPattern(style == 0 ? "yyyy-MM-dd HH:mm:ss z" : "yyyy-MM-dd HH:mm:ss zzzz", L);
      for (String s : style == 0 ? shorts : fulls) {
        try {
          ZonedDateTime t = ZonedDateTime.parse("2019-10-17 11:55:12 " + s, p);
          if (!t.getZone().getId().equals(s)) out.append((style == 0 ? "=s\t" : "=f\t") + s + "\t" + t.getZone().getId() + "\n");
        } catch (Exception e) { }
      }
    }
    System.out.print(out);
  }
}
