import java.util.*;

// Fills a HashMap<Short, Double> as io.debezium.data.vector.Vectors.fromSparseVectorString
// does (new HashMap<>(strValues.length), put in text order) and prints its iteration order.
public class SparseOrder {
    public static void main(String[] args) {
        StringBuilder out = new StringBuilder("[\n");
        for (int c = 0; c < args.length; c++) {
            String value = args[c];
            String[] parts = value.split("/");
            short dims = Short.parseShort(parts[1].trim());
            String strVector = parts[0].trim();
            strVector = strVector.substring(1, strVector.length() - 1).trim();
            Map<Short, Double> vector;
            if (strVector.isEmpty()) {
                vector = new HashMap<>();
            } else {
                String[] strValues = strVector.split(",");
                vector = new HashMap<>(strValues.length);
                for (String element : strValues) {
                    String[] kv = element.split(":");
                    vector.put(Short.parseShort(kv[0].trim()), Double.parseDouble(kv[1].trim()));
                }
            }
            StringJoiner keys = new StringJoiner(",", "[", "]");
            StringJoiner vals = new StringJoiner(",", "[", "]");
            for (Map.Entry<Short, Double> e : vector.entrySet()) {
                keys.add(e.getKey().toString());
                vals.add(e.getValue().toString());
            }
            out.append(" {\"text\":\"").append(value).append("\",\"dimensions\":").append(dims)
               .append(",\"keys\":").append(keys).append(",\"values\":").append(vals).append("}")
               .append(c + 1 < args.length ? ",\n" : "\n");
        }
        out.append("]");
        System.out.println(out);
    }
}
