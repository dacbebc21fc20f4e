% rebase('layout')
<h1>My invoices</h1>
% if invoices:
<div class="table-scroll">
<table class="stack">
  <thead><tr><th scope="col">Number</th><th scope="col">Date</th><th scope="col" class="num">Total</th><th scope="col" class="num">Open</th><th scope="col">PDF</th></tr></thead>
  <tbody>
% for inv in invoices:
    <tr>
      <td data-label="Number"><a href="/invoices/{{inv.id}}">{{'Credit note ' if inv.kind == 'credit_note' else ''}}{{inv.number}}</a></td>
      <td data-label="Date">{{inv.issue_date.strftime('%d %b %Y') if inv.issue_date else ''}}</td>
      <td class="num" data-label="Total">{{money(inv.total)}}</td>
      <td class="num" data-label="Open">{{money(inv.due) if inv.kind == 'invoice' else '–'}}</td>
      <td data-label="PDF"><a href="/invoices/{{inv.id}}.pdf" download>Download<span class="sr-only"> {{inv.number}} as PDF</span></a></td>
    </tr>
% end
  </tbody>
</table>
</div>
% else:
<p>No invoices yet.</p>
% end
