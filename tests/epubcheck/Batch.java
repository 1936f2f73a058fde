// Many EPUBs checked in one JVM (epubcheck's own command line takes one file a run).
// Run as: java -cp epubcheck.jar Batch.java FILE...   (Java 11+ runs a source file directly)
// Prints epubcheck's messages, then one line a file: "RESULT <fatals> <errors> <warnings> <file>".
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.util.DefaultReportImpl;
import java.io.File;

public class Batch {
    public static void main(String[] args) {
        for (String name : args) {
            DefaultReportImpl report = new DefaultReportImpl(name);
            new EpubCheck(new File(name), report).doValidate();
            System.out.println("RESULT " + report.getFatalErrorCount() + " "
                + report.getErrorCount() + " " + report.getWarningCount() + " " + name);
        }
    }
}
