% rebase('layout')
<h1>{{'Credit note' if invoice.kind == 'credit_note' else 'Invoice'}} {{invoice.number}}</h1>
<p>{{invoice.vehicle or ''}}{{(' · issued ' + invoice.issue_date.strftime('%d %B %Y')) if invoice.issue_date else ''}}{{(' · due ' + invoice.due_date.strftime('%d %B %Y')) if invoice.due_date and invoice.kind == 'invoice' else ''}}</p>
<p><a class="button primary" href="/invoices/{{invoice.id}}.pdf" download>Download PDF</a></p>
<div class="table-scroll">
<table>
  <thead><tr><th scope="col">Item</th><th scope="col" class="num">Qty</th><th scope="col" class="num">Price <span class="meta">excl. VAT</span></th><th scope="col" class="num">Amount <span class="meta">excl. VAT</span></th></tr></thead>
  <tbody>
% for line in invoice.lines:
    <tr><td>{{line.description}}</td><td class="num">{{line.quantity.normalize()}}</td><td class="num">{{money(line.unit_price)}}</td><td class="num">{{money(line.amount)}}</td></tr>
% end
  </tbody>
  <tfoot>
    <tr><th scope="row" colspan="3">Net (excl. VAT)</th><td class="num">{{money(invoice.totals.net)}}</td></tr>
    <tr><th scope="row" colspan="3">VAT</th><td class="num">{{money(invoice.totals.tax)}}</td></tr>
    <tr><th scope="row" colspan="3">Total incl. VAT</th><td class="num"><strong>{{money(invoice.totals.total)}}</strong></td></tr>
% if invoice.kind == 'invoice':
    <tr><th scope="row" colspan="3">Paid</th><td class="num">{{money(invoice.paid)}}</td></tr>
    <tr><th scope="row" colspan="3">Open</th><td class="num">{{money(invoice.due)}}</td></tr>
% end
  </tfoot>
</table>
</div>
<p><a href="/invoices">All my invoices</a></p>
