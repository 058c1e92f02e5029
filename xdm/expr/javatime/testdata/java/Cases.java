import java.io.*;
import java.time.*;
import java.time.format.*;
import java.time.temporal.*;
import java.util.*;
// Reads cases.tsv (F pattern instant zone source | P pattern text - source) and appends Java 17's
// answer as a last column: the formatted text, the parsed date-time ("ISO_OFFSET_DATE_TIME zoneId"),
// or "!" + the exception message.
public class Cases {
  public static void main(String[] a) throws Exception {
    BufferedReader r = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
    PrintStream out = new PrintStream(System.out, true, "UTF-8");
    for (String line; (line = r.readLine()) != null; ) {
      String[] f = line.split("\t", -1);
      String res;
      try {
        DateTimeFormatter fmt = DateTimeFormatter.ofPattern(f[1], Locale.US);
        if (f[0].equals("F")) {
          ZonedDateTime t = Instant.parse(f[2]).atZone(ZoneId.of(f[3]));
          res = fmt.format(t);
        } else {
          TemporalAccessor p = fmt.parse(f[2]);
          LocalDate d = p.query(TemporalQueries.localDate());
          if (d == null) throw new DateTimeException("no date");
          LocalTime tm = p.query(TemporalQueries.localTime());
          if (tm == null) tm = LocalTime.MIDNIGHT;
          ZoneId z = p.query(TemporalQueries.zone());
          ZonedDateTime zdt;
          if (p.isSupported(ChronoField.INSTANT_SECONDS)) zdt = ZonedDateTime.from(p);
          else zdt = ZonedDateTime.of(d, tm, z == null ? ZoneOffset.UTC : z);
          res = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(zdt) + " " + zdt.getZone().getId();
        }
      } catch (Exception e) { res = "!" + e.getClass().getSimpleName(); }
      out.println(line + "\t" + res);
    }
  }
}
